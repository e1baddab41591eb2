import type {
  ConsumeResult,
  RateLimitStore,
  RecordProof,
} from '../../shared/domain/rate-limit/rate-limit-store.js';

/** What a record proof tests on a record (an API key's), as the adapter's condition does. */
export interface ProvableRecord {
  readonly version: number;
  readonly revoked: boolean;
  readonly expiresAtMs: number | undefined;
}

/** A record-kept slot: a bucket's TAT, or the one window it holds. */
export type RecordSlot =
  | { readonly tat: number }
  | { readonly windowStartMs: number; readonly count: number };

/** One stored limiter item, as the DynamoDB adapter writes it. */
export interface StoredLimiterItem {
  /** Token bucket: theoretical arrival time of the next request. */
  readonly tat?: number;
  /** Fixed window: requests counted in the window. */
  readonly count?: number;
  readonly expiresAtSeconds: number;
}

export interface InMemoryRateLimitStore extends RateLimitStore {
  /** Store calls made so far (consume and guard lookups), as DynamoDB round trips. */
  readonly calls: () => number;
  readonly item: (key: string) => StoredLimiterItem | undefined;
  /** Writes a revocation marker, as a logout does in the sessions table. */
  readonly revoke: (guardKey: string) => void;
  /** Deletes an item, as DynamoDB's TTL may at any time after its expiry. */
  readonly expire: (key: string) => void;
  /** Sets an item's state directly, as another instance's writes would. */
  readonly put: (key: string, item: StoredLimiterItem) => void;
  /** The slot `slot` of record `id` (an API key's limiter state kept on its record). */
  readonly slot: (id: string, slot: string) => RecordSlot | undefined;
}

/**
 * The RateLimitStore contract in memory: the DynamoDB adapter's conditions, evaluated synchronously, so
 * every call is trivially atomic. A guarded call (markers to check) returns no value when it admits, like
 * the adapter's transaction; a refusal returns the stored state (ALL_OLD). test/unit/rate-limit/
 * rate-limit-store-contract.ts runs the same checks against this fake and against DynamoDB Local.
 *
 * A revocation marker exists when `revoke` wrote it or when `guardExists` says so (the test runtime
 * answers from its in-memory session store, where a logout writes the marker).
 */
export const inMemoryRateLimitStore = (
  guardExists: (key: string) => Promise<boolean> | boolean = () => false,
  recordOf: (id: string) => ProvableRecord | undefined = () => undefined,
): InMemoryRateLimitStore => {
  const items = new Map<string, StoredLimiterItem>();
  const slots = new Map<string, RecordSlot>();
  const proofHolds = (record: RecordProof): boolean => {
    const stored = recordOf(record.id);
    return (
      stored !== undefined &&
      stored.version === record.version &&
      !stored.revoked &&
      (stored.expiresAtMs === undefined || stored.expiresAtMs > record.nowMs)
    );
  };
  const changed: ConsumeResult = {
    admitted: false,
    value: undefined,
    guardFailed: false,
    recordChanged: true,
  };
  const guards = new Set<string>();
  let calls = 0;

  const exists = async (key: string): Promise<boolean> => guards.has(key) || (await guardExists(key));
  const guardFailed = async (mustNotExist: readonly string[] | undefined): Promise<boolean> => {
    for (const key of mustNotExist ?? []) if (await exists(key)) return true;
    return false;
  };
  const refused = (value: number | undefined): ConsumeResult => ({
    admitted: false,
    value,
    guardFailed: false,
  });

  return {
    calls: () => calls,
    item: (key) => items.get(key),
    revoke: (guardKey) => {
      guards.add(guardKey);
    },
    expire: (key) => {
      items.delete(key);
    },
    put: (key, item) => {
      items.set(key, item);
    },
    slot: (id, slot) => slots.get(`${id}#${slot}`),

    recordIsCurrent: async (record) => {
      calls += 1;
      return proofHolds(record);
    },

    anyGuardExists: async (keys) => {
      if (keys.length === 0) return false;
      calls += 1;
      return guardFailed(keys);
    },

    consumeTokenBucket: async ({
      key,
      assume,
      nowMs,
      intervalMs,
      toleranceMs,
      expiresAtSeconds,
      mustNotExist,
      record,
    }) => {
      calls += 1;
      // The adapter writes one of two updates; any other guess is a caller bug, not a third update.
      if (assume !== 'idle' && assume !== 'busy') throw new TypeError(`unknown guess: ${String(assume)}`);
      if (record !== undefined && !proofHolds(record)) return changed;
      if (await guardFailed(mustNotExist)) return { admitted: false, value: undefined, guardFailed: true };
      const guarded = (mustNotExist ?? []).length > 0;
      const slotKey = record === undefined ? undefined : `${record.id}#${key}`;
      const stored = slotKey === undefined ? items.get(key) : slots.get(slotKey);
      const tat = stored !== undefined && 'tat' in stored ? stored.tat : undefined;
      let next: number;
      if (assume === 'idle') {
        if (tat !== undefined && tat > nowMs) return refused(tat);
        next = nowMs + intervalMs;
      } else if (tat === undefined) {
        // The busy write is right for a missing item too (if_not_exists(tat, now) + interval).
        next = nowMs + intervalMs;
      } else {
        if (!(tat > nowMs && tat <= nowMs + toleranceMs)) return refused(tat);
        next = tat + intervalMs;
      }
      if (slotKey === undefined) items.set(key, { tat: next, expiresAtSeconds });
      else slots.set(slotKey, { tat: next });
      return { admitted: true, value: guarded ? undefined : next, guardFailed: false };
    },

    consumeFixedWindow: async ({ key, limit, take = 1, expiresAtSeconds, mustNotExist, record }) => {
      if (!Number.isInteger(take) || take < 1 || take > limit)
        throw new TypeError('take must be a whole number from 1 to the limit');
      calls += 1;
      if (record !== undefined) {
        // The slot holds one window: an older one counts as empty, a later one (a clock behind) as full.
        if (!proofHolds(record)) return changed;
        const slotKey = `${record.id}#${key}`;
        const stored = slots.get(slotKey);
        const window = stored !== undefined && 'count' in stored ? stored : undefined;
        if (window !== undefined && window.windowStartMs > record.windowStartMs) return refused(limit);
        const count = window?.windowStartMs === record.windowStartMs ? window.count : 0;
        if (count + take > limit) return refused(count);
        slots.set(slotKey, { windowStartMs: record.windowStartMs, count: count + take });
        return { admitted: true, value: count + take, guardFailed: false };
      }
      if (await guardFailed(mustNotExist)) return { admitted: false, value: undefined, guardFailed: true };
      const guarded = (mustNotExist ?? []).length > 0;
      const count = items.get(key)?.count;
      if ((count ?? 0) + take > limit) return refused(count);
      const next = (count ?? 0) + take;
      items.set(key, { count: next, expiresAtSeconds });
      return { admitted: true, value: guarded ? undefined : next, guardFailed: false };
    },
  };
};
