import type { Clock } from '../../domain/clock.js';
import type { SecretStore } from './secret-store.js';

interface Entry {
  value: Readonly<Record<string, unknown>> | undefined;
  fetchedAtMs: number;
  pending: Promise<Readonly<Record<string, unknown>>> | undefined;
}

/**
 * Caches each secret for `ttlSeconds`, so a rotated secret is picked up within one TTL without a
 * Secrets Manager call per request. Concurrent misses share one fetch. When a refresh fails and an
 * earlier value exists, that value keeps serving (it was valid moments ago) and the next call retries;
 * with no earlier value the failure propagates, so a cold start without its secret fails closed.
 */
export const cachedSecretStore = (inner: SecretStore, ttlSeconds: number, clock: Clock): SecretStore => {
  const entries = new Map<string, Entry>();

  const refresh = (secretId: string, entry: Entry): Promise<Readonly<Record<string, unknown>>> => {
    entry.pending ??= inner
      .getSecretJson(secretId)
      .then((value) => {
        entry.value = value;
        entry.fetchedAtMs = clock.nowMs();
        return value;
      })
      .finally(() => {
        entry.pending = undefined;
      });
    return entry.pending;
  };

  const entryOf = (secretId: string): Entry => {
    let entry = entries.get(secretId);
    if (entry === undefined) {
      entry = { value: undefined, fetchedAtMs: 0, pending: undefined };
      entries.set(secretId, entry);
    }
    return entry;
  };

  return {
    refreshSecretJson: (secretId) => refresh(secretId, entryOf(secretId)),
    getSecretJson: async (secretId) => {
      let entry = entries.get(secretId);
      if (entry === undefined) {
        entry = { value: undefined, fetchedAtMs: 0, pending: undefined };
        entries.set(secretId, entry);
      }
      const fresh = entry.value !== undefined && clock.nowMs() - entry.fetchedAtMs < ttlSeconds * 1000;
      if (fresh && entry.value !== undefined) return entry.value;
      const stale = entry.value;
      if (stale === undefined) return refresh(secretId, entry);
      return refresh(secretId, entry).catch(() => stale);
    },
  };
};
