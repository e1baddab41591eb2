import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { cachedSecretStore } from '../../shared/adapters/secrets/cached-secret-store.js';
import { jwksOf } from '../../shared/auth/tokens/jwks.js';
import { generateSigningKey, parseSigningKeySet } from '../../shared/auth/tokens/signing-key-set.js';
import { parseRuntimeConfig, type RuntimeConfig } from '../../shared/config/runtime-config.js';
import { systemClock } from '../../shared/domain/clock.js';
import type { SecretStore } from '../../shared/domain/secret-store.js';
import { createLogger } from '../../shared/logging/create-logger.js';
import { createRuntime } from '../../shared/runtime/create-runtime.js';
import type { Runtime } from '../../shared/runtime/runtime.js';
import { benchOrigin } from '../bench-runtime.js';

export const benchSigningSecretArn =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/jwt-signing-keys-AbCdEf';
export const benchPepperSecretArn =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/api-key-pepper-AbCdEf';
export const benchVerificationSecretArn =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/jwt-verification-keys-AbCdEf';

export type BenchSecrets = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * The secrets the authentication services read: a fresh Ed25519 key set, its public keys (what the
 * verifier reads) and a 48-character pepper.
 */
export const authBenchSecrets = async (): Promise<BenchSecrets> => {
  const signing = { current: await generateSigningKey('bench-key-0001') };
  return {
    [benchSigningSecretArn]: signing,
    [benchVerificationSecretArn]: { ...jwksOf(await parseSigningKeySet(signing, benchSigningSecretArn)) },
    [benchPepperSecretArn]: { pepper: randomBytes(36).toString('base64url') },
  };
};

/**
 * A Runtime as a function builds it at cold start: the config from the real parser, an in-memory secret
 * store behind the real cache, a Powertools logger at `error`, the system clock (tokens and windows
 * need real time) and, on first use, the DynamoDB client `createDynamoDb` builds from the config (without
 * it, a factory that refuses to be used).
 */
export const authBenchRuntime = (
  secrets: BenchSecrets,
  environment: Readonly<Record<string, string>>,
  createDynamoDb?: (config: RuntimeConfig) => DynamoDBClient,
): Runtime => {
  const config = parseRuntimeConfig({
    ENVIRONMENT: 'development',
    CORS_ALLOW_ORIGINS: benchOrigin,
    LOG_LEVEL: 'error',
    JWT_SIGNING_SECRET_ARN: benchSigningSecretArn,
    JWT_VERIFICATION_KEYS_SECRET_ARN: benchVerificationSecretArn,
    API_KEY_PEPPER_SECRET_ARN: benchPepperSecretArn,
    ...environment,
  });
  const inMemory: SecretStore = {
    getSecretJson: async (secretId) => {
      const secret = secrets[secretId];
      if (secret === undefined) throw new Error(`bench secret store has no secret ${secretId}`);
      return secret;
    },
  };
  let client: DynamoDBClient | undefined;
  return createRuntime({
    config,
    logger: createLogger(config.logLevel),
    clock: systemClock,
    secretStore: cachedSecretStore(inMemory, config.secretsCacheTtlSeconds, systemClock),
    dynamoDb: () => {
      if (createDynamoDb === undefined) throw new Error('this benchmark never touches DynamoDB');
      client ??= createDynamoDb(config);
      return client;
    },
  });
};
