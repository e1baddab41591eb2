import { dynamoDbApiKeyStore } from '../adapters/dynamodb/dynamodb-api-key-store.js';
import type { ApiKeyStore } from '../domain/api-keys/api-key-store.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

/**
 * The API-key records alone, without the pepper: for the realtime functions that only ask whether a key
 * is revoked (the revocation stream, token introspection). Issuing and verifying keys is apiKeysFor's.
 */
export const apiKeyStoreFor = perRuntime(
  (runtime): ApiKeyStore =>
    runtime.stores.apiKeys ??
    dynamoDbApiKeyStore(
      runtime.dynamoDb(),
      requireSetting(tableDefinitions.apiKeys.environmentVariable, runtime.config.apiKeysTableName),
    ),
);
