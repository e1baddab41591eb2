import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDynamoDbClient } from '../adapters/dynamodb/create-dynamodb-client.js';
import { cachedSecretStore } from '../adapters/secrets/cached-secret-store.js';
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
  const inner =
    config.localSecretsFile === undefined
      ? secretsManagerSecretStore(
          new SecretsManagerClient({
            region: config.awsRegion,
            maxAttempts: 3,
            requestHandler: { requestTimeout: 3_000 },
          }),
        )
      : localFileSecretStore(config.localSecretsFile);
  let dynamoDb: DynamoDBClient | undefined;
  runtime = Object.freeze({
    config,
    logger,
    clock: systemClock,
    secretStore: cachedSecretStore(inner, config.secretsCacheTtlSeconds, systemClock),
    dynamoDb: () => {
      dynamoDb ??= createDynamoDbClient({ region: config.awsRegion, endpoint: config.dynamoDbEndpoint });
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
