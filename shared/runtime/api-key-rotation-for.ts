import { dynamoDbApiKeyRotationStore } from '../adapters/dynamodb/dynamodb-api-key-store.js';
import { createApiKeyRotation } from '../domain/api-keys/create-api-keys.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { apiKeyPepperOf } from './api-keys-for.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';
import type { Runtime } from './runtime.js';

/** Rotation of a key's secret with the configured overlap (API_KEY_ROTATION_OVERLAP_SECONDS). */
export const apiKeyRotationFor = perRuntime((runtime: Runtime) =>
  createApiKeyRotation({
    store:
      runtime.stores.apiKeys ??
      dynamoDbApiKeyRotationStore(
        runtime.dynamoDb(),
        requireSetting(tableDefinitions.apiKeys.environmentVariable, runtime.config.apiKeysTableName),
      ),
    pepper: apiKeyPepperOf(runtime),
    clock: runtime.clock,
    rotationOverlapSeconds: runtime.config.apiKeyRotationOverlapSeconds,
  }),
);
