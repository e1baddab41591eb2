import type { Clock } from '../clock.js';
import { fixedWindowMath } from './fixed-window.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import { policyName, type RateLimitPolicy } from './rate-limit-policy.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { tokenBucketMath } from './token-bucket.js';
import { type LeaseState, type LeasingOptions, nextLeaseSize } from './window-lease.js';

export interface DecideOptions {
  /**
   * Revocation markers that must not exist (a session's `revoked#<id>`): checked in the same atomic
   * write, so a revoked credential is refused (`guardFailed`) without spending quota or a second call.
   */
  readonly mustNotExist?: readonly string[];
}

export interface RateLimiter {
  /** Decides one request for `key` under `policy`. Throws RateLimitBackendError when it cannot. */
  readonly decide: (
    key: string,
    policy: RateLimitPolicy,
    options?: DecideOptions,
  ) => Promise<RateLimitDecision>;
}

export interface RateLimiterOptions {
  readonly store: RateLimitStore;
  readonly clock: Clock;
  /** Bound on the in-process state cache (least recently used keys are dropped first). */
  readonly maxCachedKeys?: number;
  /**
   * Leases for hot fixed-window keys (window-lease.ts): only decisions with no revocation guard, on
   * windows of at least `minQuota`, once this instance sees the key busy. Undefined: never lease.
   */
  readonly leasing?: LeasingOptions;
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
  /** Token-bucket decisions in flight per key in this instance. */
  const inFlight = new Map<string, number>();
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
    mustNotExist: readonly string[],
  ): Promise<RateLimitDecision> => {
    // The policy is part of the key: changing a key's policy starts it on a fresh bucket.
    const storageKey = `${key}#${policyName(policy)}`;
    return afterColdFlight(storageKey, () => decideTokenBucketNow(storageKey, policy, mustNotExist));
  };

  const decideTokenBucketNow = async (
    storageKey: string,
    policy: Extract<RateLimitPolicy, { kind: 'token_bucket' }>,
    mustNotExist: readonly string[],
  ): Promise<RateLimitDecision> => {
    const math = tokenBucketMath(policy);
    const nowMs = clock.nowMs();
    const cached = cache.get(storageKey);
    if (cached !== undefined && math.provesReject(cached, nowMs)) {
      return math.rejected(policy, cached, nowMs, 'cache', 0);
    }
    // A cached TAT in the future proves the bucket busy (TAT never decreases). With nothing cached,
    // busy is the better guess: the busy write is also right for a missing item, so it is wrong only
    // for an existing idle bucket, which a key that just arrived on a cold instance rarely is.
    // A decision of this instance still in flight on the key will have made it busy if it admits.
    const busyHere = (inFlight.get(storageKey) ?? 0) > 0;
    const assume: 'idle' | 'busy' = cached === undefined || cached > nowMs || busyHere ? 'busy' : 'idle';
    inFlight.set(storageKey, (inFlight.get(storageKey) ?? 0) + 1);
    try {
      return await decideWithGuess(storageKey, policy, mustNotExist, math, nowMs, cached, assume);
    } finally {
      const left = (inFlight.get(storageKey) ?? 1) - 1;
      if (left > 0) inFlight.set(storageKey, left);
      else inFlight.delete(storageKey);
    }
  };

  const decideWithGuess = async (
    storageKey: string,
    policy: Extract<RateLimitPolicy, { kind: 'token_bucket' }>,
    mustNotExist: readonly string[],
    math: ReturnType<typeof tokenBucketMath>,
    nowMs: number,
    cached: number | undefined,
    firstGuess: 'idle' | 'busy',
  ): Promise<RateLimitDecision> => {
    let assume = firstGuess;
    let lastTatMs = cached ?? nowMs;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const result = await store.consumeTokenBucket({
        key: storageKey,
        assume,
        nowMs,
        intervalMs: math.intervalMs,
        toleranceMs: math.toleranceMs,
        expiresAtSeconds: math.expiresAtSeconds(nowMs),
        mustNotExist,
      });
      if (result.guardFailed)
        return { ...math.rejected(policy, nowMs, nowMs, 'backend', attempt), guardFailed: true };
      if (result.admitted) {
        // A transaction returns no values: the new TAT is at least the expected one plus an interval,
        // a lower bound that is safe to cache (it can only prove fewer rejects) and to report.
        const tatMs =
          result.value ?? (assume === 'idle' ? nowMs : Math.max(lastTatMs, nowMs)) + math.intervalMs;
        remember(storageKey, tatMs);
        return math.admitted(policy, tatMs, nowMs, attempt);
      }
      if (result.value !== undefined) {
        remember(storageKey, result.value);
        lastTatMs = result.value;
      }
      // Both writes succeed on a missing item, so a refused one always returns the stored TAT; if a
      // store ever returned none, treating it as idle (a full bucket) is what a missing item means.
      const tatMs = result.value ?? nowMs;
      if (math.provesReject(tatMs, nowMs)) return math.rejected(policy, tatMs, nowMs, 'backend', attempt);
      assume = tatMs > nowMs ? 'busy' : 'idle';
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

  const decideFixedWindow = (
    key: string,
    policy: Extract<RateLimitPolicy, { kind: 'fixed_window' }>,
    mustNotExist: readonly string[],
  ): Promise<RateLimitDecision> => {
    const { leasing } = options;
    // Leasing is never used with a revocation guard (each guarded request must prove its marker
    // absent in its own write) nor for small quotas, where one unspent leased request is felt.
    if (leasing === undefined || mustNotExist.length > 0 || policy.requests < leasing.minQuota)
      return decideFixedWindowExactly(key, policy, mustNotExist);
    return decideFixedWindowLeased(key, policy, leasing);
  };

  const decideFixedWindowExactly = async (
    key: string,
    policy: Extract<RateLimitPolicy, { kind: 'fixed_window' }>,
    mustNotExist: readonly string[],
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
      mustNotExist,
    });
    if (result.guardFailed)
      return { ...math.decision(policy, false, cached ?? 0, nowMs, 'backend', 1), guardFailed: true };
    // Unknown after a transactional admit: at least one more than we knew of, a safe lower bound.
    const count = result.value ?? (result.admitted ? (cached ?? 0) + 1 : policy.requests);
    remember(storageKey, count);
    return math.decision(policy, result.admitted, count, nowMs, 'backend', 1);
  };

  /** Per key and policy (not window): the lease this instance holds and what it observed. */
  const leases = new Map<string, LeaseState>();
  /** Lease writes in flight per key, so concurrent requests wait for one write instead of each making one. */
  const leaseFlights = new Map<string, Promise<unknown>>();

  const decideFixedWindowLeased = async (
    key: string,
    policy: Extract<RateLimitPolicy, { kind: 'fixed_window' }>,
    leasing: LeasingOptions,
  ): Promise<RateLimitDecision> => {
    const math = fixedWindowMath(policy);
    const leaseKey = `${key}#${policyName(policy)}`;
    // The request is decided at its arrival, like every decision (an exact one's write carries the
    // time read before it): waiting for another request's lease write does not move it to a later window.
    const nowMs = clock.nowMs();
    const windowStartMs = math.windowStartMs(nowMs);
    for (;;) {
      const lease = leases.get(leaseKey);
      if (
        lease !== undefined &&
        lease.windowStartMs === windowStartMs &&
        lease.tokens > 0 &&
        nowMs < lease.endsAtMs
      ) {
        lease.tokens -= 1;
        return math.decision(policy, true, lease.storedCount - lease.tokens, nowMs, 'lease', 0);
      }
      const storageKey = `${leaseKey}#${windowStartMs}`;
      const cached = cache.get(storageKey);
      if (cached !== undefined && cached >= policy.requests) {
        return math.decision(policy, false, cached, nowMs, 'cache', 0);
      }
      const pendingLease = leaseFlights.get(leaseKey);
      if (pendingLease !== undefined) {
        await pendingLease.catch(() => undefined);
        continue;
      }
      const flight = takeLease(storageKey, leaseKey, policy, leasing, nowMs, windowStartMs, lease);
      leaseFlights.set(leaseKey, flight);
      try {
        return await flight;
      } finally {
        leaseFlights.delete(leaseKey);
      }
    }
  };

  /**
   * One write that takes this request and, when the key is busy here, a lease of more. A lease larger
   * than what is left of the window is refused with the stored count; the retry takes exactly what is
   * left, so the window's last requests are not stranded.
   */
  const takeLease = async (
    storageKey: string,
    leaseKey: string,
    policy: Extract<RateLimitPolicy, { kind: 'fixed_window' }>,
    leasing: LeasingOptions,
    nowMs: number,
    windowStartMs: number,
    previous: LeaseState | undefined,
  ): Promise<RateLimitDecision> => {
    const math = fixedWindowMath(policy);
    let take = nextLeaseSize({ previous, nowMs, waiting: 1, quota: policy.requests, options: leasing });
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const result = await store.consumeFixedWindow({
        key: storageKey,
        limit: policy.requests,
        take,
        expiresAtSeconds: math.expiresAtSeconds(windowStartMs),
      });
      // Unguarded writes always return the stored count; a missing one is treated as the worst case.
      const count = result.value ?? policy.requests;
      remember(storageKey, count);
      if (result.admitted) {
        leases.set(leaseKey, {
          windowStartMs,
          tokens: take - 1,
          takenAtMs: nowMs,
          taken: take,
          endsAtMs: Math.min(nowMs + leasing.lifetimeMs, windowStartMs + policy.windowSeconds * 1000),
          storedCount: count,
        });
        if (leases.size > maxCachedKeys) {
          const oldest = leases.keys().next();
          if (oldest.done !== true) leases.delete(oldest.value);
        }
        return math.decision(policy, true, count - (take - 1), nowMs, 'backend', attempt);
      }
      if (count >= policy.requests) return math.decision(policy, false, count, nowMs, 'backend', attempt);
      take = policy.requests - count;
    }
    // Only reachable when other instances take every remainder first; rejecting is the safe answer.
    return math.decision(policy, false, policy.requests, nowMs, 'backend', maxAttempts);
  };

  /**
   * Markers seen present. A revocation is never undone, so remembering one is always safe and later
   * requests with that credential cost no DynamoDB call. Only single-marker decisions are remembered:
   * with several markers a failed guard does not say which one exists.
   */
  const knownRevoked = new Set<string>();
  const rememberRevoked = (mustNotExist: readonly string[]): void => {
    const [only] = mustNotExist;
    if (mustNotExist.length !== 1 || only === undefined) return;
    knownRevoked.add(only);
    if (knownRevoked.size > maxCachedKeys) {
      const oldest = knownRevoked.values().next();
      if (oldest.done !== true) knownRevoked.delete(oldest.value);
    }
  };
  const revokedDecision = (policy: RateLimitPolicy): RateLimitDecision => ({
    allowed: false,
    policy,
    remaining: 0,
    resetSeconds: 0,
    retryAfterSeconds: undefined,
    source: 'cache',
    backendCalls: 0,
    guardFailed: true,
  });

  return {
    decide: async (key, policy, options) => {
      const mustNotExist = options?.mustNotExist ?? [];
      if (mustNotExist.some((marker) => knownRevoked.has(marker))) return revokedDecision(policy);
      const decision = await (policy.kind === 'token_bucket'
        ? decideTokenBucket(key, policy, mustNotExist)
        : decideFixedWindow(key, policy, mustNotExist));
      if (decision.guardFailed) {
        rememberRevoked(mustNotExist);
        return decision;
      }
      // A reject proven from cached state made no write, so nothing proved the markers absent: a
      // revoked credential must still get its 401, not a 429 (revocation wins). One consistent read.
      if (decision.source === 'cache' && mustNotExist.length > 0) {
        const revoked = await store.anyGuardExists(mustNotExist);
        if (revoked) rememberRevoked(mustNotExist);
        return { ...decision, source: 'backend', backendCalls: 1, guardFailed: revoked };
      }
      return decision;
    },
  };
};
