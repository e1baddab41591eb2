import type { Clock } from '../clock.js';
import { fixedWindowMath } from './fixed-window.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import { policyName, type RateLimitPolicy } from './rate-limit-policy.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { tokenBucketMath } from './token-bucket.js';

export interface RateLimiter {
  /** Decides one request for `key` under `policy`. Throws RateLimitBackendError when it cannot. */
  readonly decide: (key: string, policy: RateLimitPolicy) => Promise<RateLimitDecision>;
}

export interface RateLimiterOptions {
  readonly store: RateLimitStore;
  readonly clock: Clock;
  /** Bound on the in-process state cache (least recently used keys are dropped first). */
  readonly maxCachedKeys?: number;
}

/** A guess can be wrong at most once per transition (idle → busy, or an expired item); three is ample. */
const maxAttempts = 3;

/**
 * The decision is the write: one conditional UpdateItem admits or rejects, and a failed condition
 * returns the stored state (ALL_OLD) so a reject needs no second read. The last state seen per key is
 * cached in process. Stored state only ever grows (a TAT, a window count), so a cached state that is
 * already over the limit proves a reject with no DynamoDB call; a cached state is never used to admit.
 */
export const createRateLimiter = (options: RateLimiterOptions): RateLimiter => {
  const { store, clock } = options;
  const maxCachedKeys = options.maxCachedKeys ?? 10_000;
  const cache = new Map<string, number>();
  /** First decisions on keys with no cached state, so concurrent ones can wait and learn from it. */
  const coldFlights = new Map<string, Promise<unknown>>();

  /**
   * With no cached state every concurrent decision would have to guess, and a burst would pay a
   * wrong guess each. Instead the first one goes alone and the rest start from the state it learns.
   */
  const afterColdFlight = async <T>(storageKey: string, decide: () => Promise<T>): Promise<T> => {
    const inFlight = coldFlights.get(storageKey);
    if (inFlight !== undefined) {
      await inFlight.catch(() => undefined);
      return decide();
    }
    if (cache.has(storageKey)) return decide();
    const flight = decide();
    coldFlights.set(storageKey, flight);
    try {
      return await flight;
    } finally {
      coldFlights.delete(storageKey);
    }
  };

  const remember = (key: string, value: number): void => {
    const previous = cache.get(key);
    cache.delete(key);
    cache.set(key, previous === undefined ? value : Math.max(previous, value));
    if (cache.size > maxCachedKeys) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
  };

  const decideTokenBucket = (
    key: string,
    policy: Extract<RateLimitPolicy, { kind: 'token_bucket' }>,
  ): Promise<RateLimitDecision> => {
    // The policy is part of the key: changing a key's policy starts it on a fresh bucket.
    const storageKey = `${key}#${policyName(policy)}`;
    return afterColdFlight(storageKey, () => decideTokenBucketNow(storageKey, policy));
  };

  const decideTokenBucketNow = async (
    storageKey: string,
    policy: Extract<RateLimitPolicy, { kind: 'token_bucket' }>,
  ): Promise<RateLimitDecision> => {
    const math = tokenBucketMath(policy);
    const nowMs = clock.nowMs();
    const cached = cache.get(storageKey);
    if (cached !== undefined && math.provesReject(cached, nowMs)) {
      return math.rejected(policy, cached, nowMs, 'cache', 0);
    }
    let assume: 'idle' | 'busy' = cached !== undefined && cached > nowMs ? 'busy' : 'idle';
    let lastTatMs = cached ?? nowMs;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const result = await store.consumeTokenBucket({
        key: storageKey,
        assume,
        nowMs,
        intervalMs: math.intervalMs,
        toleranceMs: math.toleranceMs,
        expiresAtSeconds: math.expiresAtSeconds(nowMs),
      });
      if (result.tatMs !== undefined) {
        remember(storageKey, result.tatMs);
        lastTatMs = result.tatMs;
      }
      if (result.admitted && result.tatMs !== undefined)
        return math.admitted(policy, result.tatMs, nowMs, attempt);
      if (result.tatMs === undefined) {
        // No item: it expired between our guess and the write. The bucket is full.
        assume = 'idle';
        continue;
      }
      if (math.provesReject(result.tatMs, nowMs))
        return math.rejected(policy, result.tatMs, nowMs, 'backend', attempt);
      assume = result.tatMs > nowMs ? 'busy' : 'idle';
    }
    // Only reachable under pathological contention; rejecting is the safe answer.
    return math.rejected(
      policy,
      Math.max(lastTatMs, nowMs + math.toleranceMs + 1),
      nowMs,
      'backend',
      maxAttempts,
    );
  };

  const decideFixedWindow = async (
    key: string,
    policy: Extract<RateLimitPolicy, { kind: 'fixed_window' }>,
  ): Promise<RateLimitDecision> => {
    const math = fixedWindowMath(policy);
    const nowMs = clock.nowMs();
    const windowStartMs = math.windowStartMs(nowMs);
    const storageKey = `${key}#${policyName(policy)}#${windowStartMs}`;
    // A window decision is one write whatever the state, so only the in-process reject needs the cache.
    const cached = cache.get(storageKey);
    if (cached !== undefined && cached >= policy.requests) {
      return math.decision(policy, false, cached, nowMs, 'cache', 0);
    }
    const result = await store.consumeFixedWindow({
      key: storageKey,
      limit: policy.requests,
      expiresAtSeconds: math.expiresAtSeconds(windowStartMs),
    });
    remember(storageKey, result.count);
    return math.decision(policy, result.admitted, result.count, nowMs, 'backend', 1);
  };

  return {
    decide: (key, policy) =>
      policy.kind === 'token_bucket' ? decideTokenBucket(key, policy) : decideFixedWindow(key, policy),
  };
};
