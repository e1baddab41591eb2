import { dynamoDbSessionStore } from '../adapters/dynamodb/dynamodb-session-store.js';
import type { SessionStore } from '../domain/sessions/session-store.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';
import type { Runtime } from './runtime.js';

/** The sessions table (families, pointers, revocation markers), with the users table for session owners. */
export const sessionStoreFor = perRuntime(
  (runtime: Runtime): SessionStore =>
    runtime.stores.sessions ??
    dynamoDbSessionStore(
      runtime.dynamoDb(),
      requireSetting(tableDefinitions.sessions.environmentVariable, runtime.config.sessionsTableName),
      runtime.config.usersTableName,
    ),
);
