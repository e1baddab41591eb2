import { randomBytes } from 'node:crypto';
import { cachedSecretStore } from '../shared/adapters/secrets/cached-secret-store.js';
import type { SecretStore } from '../shared/adapters/secrets/secret-store.js';
import { parseRuntimeConfig } from '../shared/config/runtime-config.js';
import type { Clock } from '../shared/domain/clock.js';
import { createLogger } from '../shared/logging/create-logger.js';
import type { Runtime } from '../shared/runtime/runtime.js';

export const benchOrigin = 'https://app.example.com';
export const benchApiKeySecretArn =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/api-key-AbCdEf';

/** 48 characters from a URL-safe alphabet, like an issued API key. */
export const randomApiKey = (): string => randomBytes(36).toString('base64url');

export interface BenchRuntime {
  readonly runtime: Runtime;
  readonly apiKey: string;
}

/**
 * A Runtime with no I/O: the config parsed by the real parser, an in-memory secret store behind the
 * real cache (as on Lambda, where the key is fetched once per TTL), a Powertools logger at `error` so
 * the rejected-request info lines are not written, and a fixed clock.
 */
export const benchRuntime = (): BenchRuntime => {
  const apiKey = randomApiKey();
  const config = parseRuntimeConfig({
    ENVIRONMENT: 'development',
    CORS_ALLOW_ORIGINS: benchOrigin,
    LOG_LEVEL: 'error',
    API_KEY_SECRET_ARN: benchApiKeySecretArn,
    USERS_TABLE_NAME: 'bench-users',
  });
  const clock: Clock = Object.freeze({ nowMs: () => 1_767_225_600_000 });
  const secrets: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
    [benchApiKeySecretArn]: { apiKey },
  };
  const inMemory: SecretStore = {
    getSecretJson: async (secretId) => {
      const secret = secrets[secretId];
      if (secret === undefined) throw new Error(`bench secret store has no secret ${secretId}`);
      return secret;
    },
  };
  const runtime: Runtime = Object.freeze({
    config,
    logger: createLogger(config.logLevel),
    clock,
    secretStore: cachedSecretStore(inMemory, config.secretsCacheTtlSeconds, clock),
    dynamoDb: () => {
      throw new Error('the chain benchmark never touches DynamoDB');
    },
  });
  return { runtime, apiKey };
};
