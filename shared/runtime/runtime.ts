import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretStore } from '../adapters/secrets/secret-store.js';
import type { RuntimeConfig } from '../config/runtime-config.js';
import type { Clock } from '../domain/clock.js';
import type { AuthStores } from './auth-services.js';

/** Everything a function needs from its environment, built once per cold start. */
export interface Runtime {
  readonly config: RuntimeConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly secretStore: SecretStore;
  /** Created on first use, so functions without a table never build a client. */
  readonly dynamoDb: () => DynamoDBClient;
  /** In-memory stores for unit tests; functions leave it unset and get DynamoDB's. */
  readonly authStores?: AuthStores;
}
