import { dynamoDbSessionStore } from '../adapters/dynamodb/dynamodb-session-store.js';
import { createRefreshSessions, type RefreshSessions } from '../domain/sessions/refresh-sessions.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

/** Refresh sessions: start, rotate with replay detection, revoke (ADR 0007). */
export const refreshSessionsFor = perRuntime((runtime): RefreshSessions => {
  const { config } = runtime;
  return createRefreshSessions({
    store:
      runtime.stores.sessions ??
      dynamoDbSessionStore(
        runtime.dynamoDb(),
        requireSetting(tableDefinitions.sessions.environmentVariable, config.sessionsTableName),
      ),
    clock: runtime.clock,
    settings: {
      absoluteLifetimeSeconds: config.tokens.refreshSessionTtlSeconds,
      reuseGraceSeconds: config.tokens.refreshReuseGraceSeconds,
      accessTokenLifetimeSeconds: config.tokens.accessTokenTtlSeconds,
    },
    onReuseDetected: () => runtime.counters.count('refresh_reuse_detected', {}),
  });
});
