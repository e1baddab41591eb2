/**
 * The Secrets Manager rotation function of the access-token signing-key secret (ADR 0011). Not an HTTP
 * route: Secrets Manager invokes it with `{ SecretId, ClientRequestToken, Step }`, once per step. It also
 * writes the verification-key secret (the public halves) named by JWT_VERIFICATION_KEYS_SECRET_ARN.
 * An operator invokes it with `{ "emergency": "replace-compromised-key", "compromisedKid" }` to take a
 * leaked key out of verification at once (docs/runbooks/auth.md); only IAM can invoke it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type EmergencyReplacementResult,
  isEmergencyReplacementEvent,
  replaceCompromisedSigningKey,
} from '../../shared/auth/tokens/rotation/replace-compromised-signing-key.js';
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
const signingSecretId = requireSetting(
  secretDefinitions.jwtSigningKeys.environmentVariable,
  config.tokens.signingSecretArn,
);
const client = new SecretsManagerClient({ region: config.awsRegion });
const logger = createLogger(config.logLevel);
const deps = {
  client,
  verificationSecretId,
  clock: systemClock,
  randomHex: (bytes: number) => randomBytes(bytes).toString('hex'),
  log: (message: string, fields: Readonly<Record<string, string>>) => logger.info(message, { ...fields }),
};

export const handler = async (event: unknown): Promise<EmergencyReplacementResult | undefined> => {
  if (isEmergencyReplacementEvent(event)) {
    return replaceCompromisedSigningKey(event, { ...deps, signingSecretId, newVersionId: randomUUID });
  }
  await rotateSigningKeys(event, deps);
  return undefined;
};
