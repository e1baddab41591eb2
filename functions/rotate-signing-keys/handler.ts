/**
 * The Secrets Manager rotation function of the access-token signing-key secret (ADR 0011). Not an HTTP
 * route: Secrets Manager invokes it with `{ SecretId, ClientRequestToken, Step }`, once per step.
 */
import { randomBytes } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { rotateSigningKeys } from '../../shared/auth/tokens/rotation/rotate-signing-keys.js';
import { systemClock } from '../../shared/domain/clock.js';
import { createLogger } from '../../shared/logging/create-logger.js';

const client = new SecretsManagerClient({});
const logger = createLogger('info');

export const handler = async (event: unknown): Promise<void> =>
  rotateSigningKeys(event, {
    client,
    clock: systemClock,
    randomHex: (bytes) => randomBytes(bytes).toString('hex'),
    log: (message, fields) => logger.info(message, { ...fields }),
  });
