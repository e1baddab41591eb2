import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDynamoDbClient } from '../adapters/dynamodb/create-dynamodb-client.js';
import { tallyingCounters } from '../adapters/metrics/counter-tally.js';
import { type Counters, emfCounters } from '../adapters/metrics/emf-counters.js';
import type { RuntimeConfig } from '../config/runtime-config.js';
import { type Clock, systemClock } from '../domain/clock.js';
import type { SecretStore } from '../domain/secret-store.js';
import { compileRedactPatterns, createLogger } from '../logging/create-logger.js';
import type { RedactionOptions } from '../logging/redact-sensitive.js';
import type { Runtime, Stores } from './runtime.js';

/** What createRuntime needs; everything but the config and the secret store has a production default. */
export interface RuntimeParts {
  readonly config: RuntimeConfig;
  readonly secretStore: SecretStore;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly dynamoDb?: () => DynamoDBClient;
  /** The Secrets Manager client behind `secretStore`, when there is one (Runtime.secretsManager). */
  readonly secretsManager?: () => SecretsManagerClient;
  readonly counters?: Counters;
  readonly stores?: Partial<Stores>;
  readonly newId?: () => string;
}

/** The logger's redaction for this config: the API-key header, the extra patterns, the IP policy. */
export const redactionOf = (config: RuntimeConfig): RedactionOptions => ({
  apiKeyHeader: config.auth.header,
  extraPatterns: compileRedactPatterns(config.logRedactPatterns),
  ipAddresses: config.logIpAddresses,
});

/**
 * The one way a runtime is built: by Lambda (loadRuntime), the local server, tests and the bench. Pure
 * composition: it reads no environment and opens no connection.
 */
export const createRuntime = (parts: RuntimeParts): Runtime => {
  const { config } = parts;
  let client: DynamoDBClient | undefined;
  const dynamoDb =
    parts.dynamoDb ??
    (() => {
      // Every backend call on the request path has the same budget: two attempts of
      // SECURITY_LIMITER_TIMEOUT_MS, aborted after both, so a hung backend is a 503 within that time.
      client ??= createDynamoDbClient({
        region: config.awsRegion,
        endpoint: config.dynamoDbEndpoint,
        maxAttempts: 2,
        requestTimeoutMs: config.rateLimit.timeoutMs,
        connectionTimeoutMs: config.rateLimit.timeoutMs,
      });
      return client;
    });
  const clock = parts.clock ?? systemClock;
  const counters = tallyingCounters(parts.counters ?? emfCounters(), clock.nowMs());
  return Object.freeze({
    config,
    logger: parts.logger ?? createLogger(config.logLevel, redactionOf(config)),
    clock,
    secretStore: parts.secretStore,
    dynamoDb,
    ...(parts.secretsManager === undefined ? {} : { secretsManager: parts.secretsManager }),
    counters,
    tally: counters.tally,
    stores: Object.freeze({ ...parts.stores }),
    newId: parts.newId ?? randomUUID,
  });
};
