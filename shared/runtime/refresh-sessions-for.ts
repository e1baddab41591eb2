import { createRefreshSessions, type RefreshSessions } from '../domain/sessions/refresh-sessions.js';
import { perRuntime } from './per-runtime.js';
import { sessionStoreFor } from './session-store-for.js';

/** Refresh sessions: start, rotate with replay detection, revoke (ADR 0007). */
export const refreshSessionsFor = perRuntime((runtime): RefreshSessions => {
  const { config } = runtime;
  return createRefreshSessions({
    store: sessionStoreFor(runtime),
    clock: runtime.clock,
    settings: {
      absoluteLifetimeSeconds: config.tokens.refreshSessionTtlSeconds,
      reuseGraceSeconds: config.tokens.refreshReuseGraceSeconds,
      accessTokenLifetimeSeconds: config.tokens.accessTokenTtlSeconds,
    },
    onReuseDetected: () => runtime.counters.count('refresh_reuse_detected', {}),
  });
});
