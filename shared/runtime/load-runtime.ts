import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../adapters/dynamodb/create-dynamodb-client.js';
import { cachedSecretStore } from '../adapters/secrets/cached-secret-store.js';
import { createSecretsManagerClient } from '../adapters/secrets/create-secrets-manager-client.js';
import { localFileSecretStore } from '../adapters/secrets/local-file-secret-store.js';
import { secretsManagerSecretStore } from '../adapters/secrets/secrets-manager-secret-store.js';
import { readRuntimeConfig } from '../config/read-runtime-config.js';
import { systemClock } from '../domain/clock.js';
import { createLogger } from '../logging/create-logger.js';
import type { Runtime } from './runtime.js';

let runtime: Runtime | undefined;

/** Builds the process-wide runtime from the environment on first call; later calls reuse it. */
export const loadRuntime = (): Runtime => {
  if (runtime !== undefined) return runtime;
  const config = readRuntimeConfig();
  const logger = createLogger(config.logLevel);
  // Every backend call on the request path has the same budget: two attempts of
  // SECURITY_LIMITER_TIMEOUT_MS, aborted after both, so a hung backend is a 503 within that time.
  const attemptMs = config.rateLimit.timeoutMs;
  const inner =
    config.localSecretsFile === undefined
      ? secretsManagerSecretStore(createSecretsManagerClient({ region: config.awsRegion, attemptMs }))
      : localFileSecretStore(config.localSecretsFile);
  let dynamoDb: DynamoDBClient | undefined;
  runtime = Object.freeze({
    config,
    logger,
    clock: systemClock,
    secretStore: cachedSecretStore(inner, config.secretsCacheTtlSeconds, systemClock),
    dynamoDb: () => {
      dynamoDb ??= createDynamoDbClient({
        region: config.awsRegion,
        endpoint: config.dynamoDbEndpoint,
        maxAttempts: 2,
        requestTimeoutMs: attemptMs,
        connectionTimeoutMs: attemptMs,
      });
      return dynamoDb;
    },
  });
  logger.info('cold start', {
    environment: config.environment,
    auth_strategy: config.auth.strategy,
    cors_enabled: config.cors.enabled,
    trusted_hosts: config.trustedHosts.length,
    trust_proxy_hops: config.trustProxyHops,
  });
  return runtime;
};
