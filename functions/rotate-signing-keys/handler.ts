/**
 * The Secrets Manager rotation function of the access-token signing-key secret (ADR 0011). Not an HTTP
 * route: Secrets Manager invokes it with `{ SecretId, ClientRequestToken, Step }`, once per step. It also
 * writes the verification-key secret (the public halves) named by JWT_VERIFICATION_KEYS_SECRET_ARN.
 */
import { randomBytes } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { rotateSigningKeys } from '../../shared/auth/tokens/rotation/rotate-signing-keys.js';
import { readRuntimeConfig } from '../../shared/config/read-runtime-config.js';
import { systemClock } from '../../shared/domain/clock.js';
import { createLogger } from '../../shared/logging/create-logger.js';
import { secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { requireSetting } from '../../shared/runtime/require-setting.js';

const config = readRuntimeConfig();
// Without it the rotation could not publish the public keys: fail at cold start, naming the variable.
const verificationSecretId = requireSetting(
  secretDefinitions.jwtVerificationKeys.environmentVariable,
  config.tokens.verificationSecretArn,
);
const client = new SecretsManagerClient({ region: config.awsRegion });
const logger = createLogger(config.logLevel);

export const handler = async (event: unknown): Promise<void> =>
  rotateSigningKeys(event, {
    client,
    verificationSecretId,
    clock: systemClock,
    randomHex: (bytes) => randomBytes(bytes).toString('hex'),
    log: (message, fields) => logger.info(message, { ...fields }),
  });
