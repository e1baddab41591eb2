import type { Clock } from '../../domain/clock.js';
import type { SecretStore } from '../../domain/secret-store.js';

interface Entry {
  value: Readonly<Record<string, unknown>> | undefined;
  fetchedAtMs: number;
  /** When the last refresh failed; a stale value is served without retrying for a while after it. */
  failedAtMs: number | undefined;
  pending: Promise<Readonly<Record<string, unknown>>> | undefined;
}

/**
 * After a failed refresh, the stale value is served for this long before the next try: during an outage
 * one request per pause waits for the call's deadline, not every request.
 */
export const RETRY_AFTER_FAILURE_MS = 5_000;

/**
 * Caches each secret for `ttlSeconds`, so a rotated secret is picked up within one TTL without a
 * Secrets Manager call per request. Concurrent misses share one fetch. When a refresh fails and an
 * earlier value exists, that value keeps serving (it was valid moments ago) and the next try waits
 * RETRY_AFTER_FAILURE_MS; with no earlier value the failure propagates, so a cold start without its
 * secret fails closed. How long one fetch may take is the inner store's deadline.
 */
export const cachedSecretStore = (inner: SecretStore, ttlSeconds: number, clock: Clock): SecretStore => {
  const entries = new Map<string, Entry>();

  const refresh = (secretId: string, entry: Entry): Promise<Readonly<Record<string, unknown>>> => {
    entry.pending ??= inner
      .getSecretJson(secretId)
      .then(
        (value) => {
          entry.value = value;
          entry.fetchedAtMs = clock.nowMs();
          entry.failedAtMs = undefined;
          return value;
        },
        (error: unknown) => {
          entry.failedAtMs = clock.nowMs();
          throw error;
        },
      )
      .finally(() => {
        entry.pending = undefined;
      });
    return entry.pending;
  };

  const entryOf = (secretId: string): Entry => {
    let entry = entries.get(secretId);
    if (entry === undefined) {
      entry = { value: undefined, fetchedAtMs: 0, failedAtMs: undefined, pending: undefined };
      entries.set(secretId, entry);
    }
    return entry;
  };

  return {
    refreshSecretJson: (secretId) => refresh(secretId, entryOf(secretId)),
    getSecretJson: async (secretId) => {
      const entry = entryOf(secretId);
      const nowMs = clock.nowMs();
      const stale = entry.value;
      if (stale === undefined) return refresh(secretId, entry);
      if (nowMs - entry.fetchedAtMs < ttlSeconds * 1000) return stale;
      if (entry.failedAtMs !== undefined && nowMs - entry.failedAtMs < RETRY_AFTER_FAILURE_MS) return stale;
      return refresh(secretId, entry).catch(() => stale);
    },
  };
};
