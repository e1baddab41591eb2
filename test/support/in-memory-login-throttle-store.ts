import type {
  ConditionalStreakWrite,
  LoginFailureState,
  LoginThrottleStore,
} from '../../shared/domain/login-throttle/login-throttle-store.js';

/** One stored item, with the attributes the DynamoDB adapter writes (absent ones undefined). */
export interface StoredLoginItem {
  readonly failures?: number;
  readonly lastFailureMs?: number;
  readonly blockedUntilMs?: number;
  readonly attemptSlotUntilMs?: number;
  readonly attemptSlotOwner?: string;
  readonly expiresAtSeconds?: number;
}

export interface InMemoryLoginThrottleStore extends LoginThrottleStore {
  readonly item: (key: string) => StoredLoginItem | undefined;
  /** Sets an item directly, as another instance's writes would. */
  readonly put: (key: string, item: StoredLoginItem) => void;
  /** Store methods called so far, in order, with their key. */
  readonly calls: () => readonly string[];
}

const stateOf = (item: StoredLoginItem | undefined): LoginFailureState | undefined =>
  item?.failures === undefined
    ? undefined
    : {
        failures: item.failures,
        blockedUntilMs: item.blockedUntilMs ?? 0,
        lastFailureMs: item.lastFailureMs ?? 0,
      };

/**
 * The LoginThrottleStore contract in memory: each method evaluates the DynamoDB adapter's condition and
 * update synchronously, so every call is atomic. A refused conditional write returns the state that
 * refused it (ALL_OLD). test/unit/login-throttle/login-throttle-store-contract.ts runs the same checks
 * against this fake and against DynamoDB Local.
 */
export const inMemoryLoginThrottleStore = (): InMemoryLoginThrottleStore => {
  const items = new Map<string, StoredLoginItem>();
  const calls: string[] = [];
  const call = (method: string, key: string): StoredLoginItem | undefined => {
    calls.push(`${method} ${key}`);
    return items.get(key);
  };
  const write = (key: string, item: StoredLoginItem): StoredLoginItem => {
    items.set(key, item);
    return item;
  };
  const streak = (applied: boolean, item: StoredLoginItem | undefined): ConditionalStreakWrite => {
    const state = stateOf(item);
    return applied && state !== undefined ? { applied: true, state } : { applied: false, state };
  };
  const withoutBlock = (item: StoredLoginItem): StoredLoginItem => {
    const { blockedUntilMs: _removed, ...rest } = item;
    return rest;
  };

  return {
    item: (key) => items.get(key),
    put: (key, item) => {
      items.set(key, item);
    },
    calls: () => [...calls],

    read: async (key) => stateOf(call('read', key)),
    // One call for every key, as the adapter's TransactGetItems.
    readAll: async (keys) => {
      calls.push(`readAll ${keys.join(',')}`);
      return keys.map((key) => stateOf(items.get(key)));
    },

    recordFailure: async ({ key, nowMs, streakStartMs, expiresAtSeconds }) => {
      const item = call('recordFailure', key);
      if (item?.lastFailureMs !== undefined && item.lastFailureMs > streakStartMs) {
        const failures = (item.failures ?? 0) + 1;
        write(key, { ...item, failures, lastFailureMs: nowMs, expiresAtSeconds });
        return failures;
      }
      write(key, { ...withoutBlock(item ?? {}), failures: 1, lastFailureMs: nowMs, expiresAtSeconds });
      return 1;
    },

    blockUntil: async ({ key, untilMs, expiresAtSeconds }) => {
      const item = call('blockUntil', key);
      if (item?.blockedUntilMs !== undefined && !(item.blockedUntilMs < untilMs)) return;
      write(key, { ...item, blockedUntilMs: untilMs, expiresAtSeconds });
    },

    clear: async (key) => {
      call('clear', key);
      items.delete(key);
    },

    countFreeAttempt: async ({ key, nowMs, streakStartMs, freeAttempts, expiresAtSeconds }) => {
      const item = call('countFreeAttempt', key);
      const applies =
        item?.lastFailureMs !== undefined &&
        item.lastFailureMs > streakStartMs &&
        item.failures !== undefined &&
        item.failures < freeAttempts;
      if (!applies || item === undefined) return streak(false, item);
      return streak(
        true,
        write(key, { ...item, failures: (item.failures ?? 0) + 1, lastFailureMs: nowMs, expiresAtSeconds }),
      );
    },

    restartStreak: async ({ key, nowMs, streakStartMs, expiresAtSeconds }) => {
      const item = call('restartStreak', key);
      if (item?.lastFailureMs !== undefined && item.lastFailureMs > streakStartMs) return streak(false, item);
      return streak(
        true,
        write(key, { ...withoutBlock(item ?? {}), failures: 1, lastFailureMs: nowMs, expiresAtSeconds }),
      );
    },

    countBlockedAttempt: async ({
      key,
      nowMs,
      streakStartMs,
      expectedFailures,
      blockedUntilMs,
      expiresAtSeconds,
    }) => {
      const item = call('countBlockedAttempt', key);
      const applies =
        item !== undefined &&
        item.failures === expectedFailures &&
        item.lastFailureMs !== undefined &&
        item.lastFailureMs > streakStartMs &&
        (item.blockedUntilMs === undefined || item.blockedUntilMs <= nowMs);
      if (!applies || item === undefined) return streak(false, item);
      return streak(
        true,
        write(key, {
          ...item,
          failures: expectedFailures + 1,
          lastFailureMs: nowMs,
          blockedUntilMs,
          expiresAtSeconds,
        }),
      );
    },

    refundAttempt: async ({ key, blockedUntilMs }) => {
      const item = call('refundAttempt', key);
      if (item?.failures === undefined || item.failures <= 0) return;
      if (blockedUntilMs !== undefined && item.blockedUntilMs === blockedUntilMs) {
        write(key, { ...withoutBlock(item), failures: item.failures - 1 });
        return;
      }
      write(key, { ...item, failures: item.failures - 1 });
    },

    acquireAttempt: async ({ key, owner, nowMs, untilMs, expiresAtSeconds }) => {
      const item = call('acquireAttempt', key);
      if (item?.attemptSlotUntilMs !== undefined && item.attemptSlotUntilMs > nowMs) return false;
      write(key, {
        ...item,
        attemptSlotUntilMs: untilMs,
        attemptSlotOwner: owner,
        expiresAtSeconds: item?.expiresAtSeconds ?? expiresAtSeconds,
      });
      return true;
    },

    releaseAttempt: async ({ key, owner }) => {
      const item = call('releaseAttempt', key);
      if (item === undefined || item.attemptSlotOwner !== owner) return;
      const { attemptSlotUntilMs: _until, attemptSlotOwner: _owner, ...rest } = item;
      write(key, rest);
    },
  };
};
