import { dynamoDbRealtimeStore } from '../adapters/dynamodb/dynamodb-realtime-store.js';
import type { RealtimeStore } from '../domain/realtime/realtime-store.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

/**
 * The realtime table (datasources, used tokens, connections, subscriptions, the revocation feed). The
 * sessions and API-key tables are passed when the function has them: opening a connection proves the
 * session's marker absent or the key unrevoked in the same transaction.
 */
export const realtimeStoreFor = perRuntime(
  (runtime): RealtimeStore =>
    runtime.stores.realtime ??
    dynamoDbRealtimeStore(runtime.dynamoDb(), {
      realtime: requireSetting(
        tableDefinitions.realtime.environmentVariable,
        runtime.config.realtime.tableName,
      ),
      ...(runtime.config.sessionsTableName === undefined
        ? {}
        : { sessions: runtime.config.sessionsTableName }),
      ...(runtime.config.apiKeysTableName === undefined ? {} : { apiKeys: runtime.config.apiKeysTableName }),
    }),
);
