import { randomBytes } from 'node:crypto';
import { cachedSecretStore } from '../shared/adapters/secrets/cached-secret-store.js';
import { jwksOf } from '../shared/auth/tokens/jwks.js';
import { generateSigningKey, parseSigningKeySet } from '../shared/auth/tokens/signing-key-set.js';
import { parseRuntimeConfig } from '../shared/config/runtime-config.js';
import type { Clock } from '../shared/domain/clock.js';
import type { SecretStore } from '../shared/domain/secret-store.js';
import { createLogger } from '../shared/logging/create-logger.js';
import { apiKeysFor } from '../shared/runtime/api-keys-for.js';
import { createRuntime } from '../shared/runtime/create-runtime.js';
import type { Runtime } from '../shared/runtime/runtime.js';
import { inMemoryApiKeyStore } from '../test/support/in-memory-api-key-store.js';

export const benchOrigin = 'https://app.example.com';
export const benchPepperSecretArn =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/api-key-pepper-AbCdEf';
export const benchSigningSecretArn =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/jwt-signing-keys-AbCdEf';
export const benchVerificationSecretArn =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/jwt-verification-keys-AbCdEf';

/**
 * The secrets a function needs at cold start: a signing-key set, its public keys (what verifiers read)
 * and an API key pepper.
 */
export const benchSecrets = async (): Promise<Record<string, Record<string, unknown>>> => {
  const signing = { current: await generateSigningKey('bench-signing-key-1') };
  return {
    [benchPepperSecretArn]: { pepper: randomBytes(36).toString('base64url') },
    [benchSigningSecretArn]: signing,
    [benchVerificationSecretArn]: { ...jwksOf(await parseSigningKeySet(signing, benchSigningSecretArn)) },
  };
};

export interface BenchRuntime {
  readonly runtime: Runtime;
  readonly apiKey: string;
}

/**
 * A Runtime with no DynamoDB: the config parsed by the real parser, an in-memory secret store behind the
 * real cache (as on Lambda, where secrets are fetched once per TTL), API keys in an in-memory store, a
 * Powertools logger at `error` so the rejected-request info lines are not written, and a fixed clock.
 */
export const benchRuntime = async (): Promise<BenchRuntime> => {
  const config = parseRuntimeConfig({
    ENVIRONMENT: 'development',
    CORS_ALLOW_ORIGINS: benchOrigin,
    LOG_LEVEL: 'error',
    API_AUTH_STRATEGY: 'api_key',
    API_KEY_PEPPER_SECRET_ARN: benchPepperSecretArn,
    JWT_SIGNING_SECRET_ARN: benchSigningSecretArn,
    JWT_VERIFICATION_KEYS_SECRET_ARN: benchVerificationSecretArn,
    USERS_TABLE_NAME: 'bench-users',
  });
  const clock: Clock = Object.freeze({ nowMs: () => 1_767_225_600_000 });
  const secrets = await benchSecrets();
  const inMemory: SecretStore = {
    getSecretJson: async (secretId) => {
      const secret = secrets[secretId];
      if (secret === undefined) throw new Error(`bench secret store has no secret ${secretId}`);
      return secret;
    },
  };
  const runtime = createRuntime({
    config,
    logger: createLogger(config.logLevel),
    clock,
    secretStore: cachedSecretStore(inMemory, config.secretsCacheTtlSeconds, clock),
    stores: { apiKeys: inMemoryApiKeyStore() },
    dynamoDb: () => {
      throw new Error('the chain benchmark never touches DynamoDB');
    },
  });
  const { apiKey } = await apiKeysFor(runtime).apiKeys.issue({ name: 'bench', roles: ['admin'] });
  return { runtime, apiKey };
};
