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
  /**
   * The principal's record (an API key's id, and the version this instance verified it at): the state
   * is kept on that record (`key` names its slot there) and every decision proves the record unchanged,
   * in its write or, when it makes none, in one consistent read. When it has changed (updated, rotated,
   * revoked, expired) nothing is spent and the decision says `recordChanged`: verify again, then decide.
   */
  readonly record?: DecisionRecord;
}

export interface DecisionRecord {
  readonly id: string;
  readonly version: number;
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

/** The record a decision is kept on has changed since it was verified: nothing was spent. */
const recordChangedDecision = (policy: RateLimitPolicy, backendCalls: number): RateLimitDecision => ({
  allowed: false,
  policy,
  remaining: 0,
  resetSeconds: 0,
  retryAfterSeconds: undefined,
  source: 'backend',
  backendCalls,
  guardFailed: false,
  recordChanged: true,
});

/** In-process state of a record-kept decision is per record; the store only needs the slot. */
const processKeyOf = (slot: string, record: DecisionRecord | undefined): string =>
  record === undefined ? slot : `${record.id}#${slot}`;

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
    record: DecisionRecord | undefined,
  ): Promise<RateLimitDecision> => {
    // The policy is part of the key: changing a key's policy starts it on a fresh bucket.
    const slot = `${key}#${policyName(policy)}`;
    const storageKey = processKeyOf(slot, record);
    return afterColdFlight(storageKey, () =>
      decideTokenBucketNow(storageKey, slot, policy, mustNotExist, record),
    );
  };

  const decideTokenBucketNow = async (
    storageKey: string,
    slot: string,
    policy: Extract<RateLimitPolicy, { kind: 'token_bucket' }>,
    mustNotExist: readonly string[],
    record: DecisionRecord | undefined,
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
      return await decideWithGuess(
        { storageKey, slot, record },
        policy,
        mustNotExist,
        math,
        nowMs,
        cached,
        assume,
      );
    } finally {
      const left = (inFlight.get(storageKey) ?? 1) - 1;
      if (left > 0) inFlight.set(storageKey, left);
      else inFlight.delete(storageKey);
    }
  };

  const decideWithGuess = async (
    where: { storageKey: string; slot: string; record: DecisionRecord | undefined },
    policy: Extract<RateLimitPolicy, { kind: 'token_bucket' }>,
    mustNotExist: readonly string[],
    math: ReturnType<typeof tokenBucketMath>,
    nowMs: number,
    cached: number | undefined,
    firstGuess: 'idle' | 'busy',
  ): Promise<RateLimitDecision> => {
    const { storageKey, slot, record } = where;
    let assume = firstGuess;
    let lastTatMs = cached ?? nowMs;
    let calls = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      // Without a record the process key is the slot itself; with one, the store keys the slot on it.
      const result = await store.consumeTokenBucket({
        key: slot,
        assume,
        nowMs,
        intervalMs: math.intervalMs,
        toleranceMs: math.toleranceMs,
        expiresAtSeconds: math.expiresAtSeconds(nowMs),
        mustNotExist,
        ...(record === undefined ? {} : { record: { ...record, nowMs } }),
      });
      calls += result.calls ?? 1;
      if (result.recordChanged === true) return recordChangedDecision(policy, calls);
      if (result.guardFailed)
        return { ...math.rejected(policy, nowMs, nowMs, 'backend', calls), guardFailed: true };
      if (result.admitted) {
        // A transaction returns no values: the new TAT is at least the expected one plus an interval,
        // a lower bound that is safe to cache (it can only prove fewer rejects) and to report.
        const tatMs =
          result.value ?? (assume === 'idle' ? nowMs : Math.max(lastTatMs, nowMs)) + math.intervalMs;
        remember(storageKey, tatMs);
        return math.admitted(policy, tatMs, nowMs, calls);
      }
      if (result.value !== undefined) {
        remember(storageKey, result.value);
        lastTatMs = result.value;
      }
      // Both writes succeed on a missing item, so a refused one always returns the stored TAT; if a
      // store ever returned none, treating it as idle (a full bucket) is what a missing item means.
      const tatMs = result.value ?? nowMs;
      if (math.provesReject(tatMs, nowMs)) return math.rejected(policy, tatMs, nowMs, 'backend', calls);
      assume = tatMs > nowMs ? 'busy' : 'idle';
    }
    // Only reachable under pathological contention; rejecting is the safe answer.
    return math.rejected(policy, Math.max(lastTatMs, nowMs + math.toleranceMs + 1), nowMs, 'backend', calls);
  };

  const decideFixedWindow = (
    key: string,
    policy: Extract<RateLimitPolicy, { kind: 'fixed_window' }>,
    mustNotExist: readonly string[],
    record: DecisionRecord | undefined,
  ): Promise<RateLimitDecision> => {
    const { leasing } = options;
    // Leasing is never used with a revocation guard (each guarded request must prove its marker
    // absent in its own write) nor for small quotas, where one unspent leased request is felt. A
    // record-kept key is leased: a request spent from its lease proves the record by a read (decide()).
    if (leasing === undefined || mustNotExist.length > 0 || policy.requests < leasing.minQuota)
      return decideFixedWindowExactly(key, policy, mustNotExist, record);
    return decideFixedWindowLeased(key, policy, leasing, record);
  };

  const decideFixedWindowExactly = async (
    key: string,
    policy: Extract<RateLimitPolicy, { kind: 'fixed_window' }>,
    mustNotExist: readonly string[],
    record: DecisionRecord | undefined,
  ): Promise<RateLimitDecision> => {
    const math = fixedWindowMath(policy);
    const nowMs = clock.nowMs();
    const windowStartMs = math.windowStartMs(nowMs);
    const slot = `${key}#${policyName(policy)}`;
    const storageKey = `${processKeyOf(slot, record)}#${windowStartMs}`;
    // A window decision is one write whatever the state, so only the in-process reject needs the cache.
    const cached = cache.get(storageKey);
    if (cached !== undefined && cached >= policy.requests) {
      return math.decision(policy, false, cached, nowMs, 'cache', 0);
    }
    const result = await store.consumeFixedWindow({
      key: record === undefined ? storageKey : slot,
      limit: policy.requests,
      expiresAtSeconds: math.expiresAtSeconds(windowStartMs),
      mustNotExist,
      ...(record === undefined ? {} : { record: { ...record, nowMs, windowStartMs } }),
    });
    const calls = result.calls ?? 1;
    if (result.recordChanged === true) return recordChangedDecision(policy, calls);
    if (result.guardFailed)
      return { ...math.decision(policy, false, cached ?? 0, nowMs, 'backend', calls), guardFailed: true };
    // Unknown after a transactional admit: at least one more than we knew of, a safe lower bound.
    const count = result.value ?? (result.admitted ? (cached ?? 0) + 1 : policy.requests);
    remember(storageKey, count);
    return math.decision(policy, result.admitted, count, nowMs, 'backend', calls);
  };

  /** Per key and policy (not window): the lease this instance holds and what it observed. */
  const leases = new Map<string, LeaseState>();
  /** Lease writes in flight per key, so concurrent requests wait for one write instead of each making one. */
  const leaseFlights = new Map<string, Promise<unknown>>();

  const decideFixedWindowLeased = async (
    key: string,
    policy: Extract<RateLimitPolicy, { kind: 'fixed_window' }>,
    leasing: LeasingOptions,
    record: DecisionRecord | undefined,
  ): Promise<RateLimitDecision> => {
    const math = fixedWindowMath(policy);
    const slot = `${key}#${policyName(policy)}`;
    const leaseKey = processKeyOf(slot, record);
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
      const flight = takeLease(
        { storageKey, leaseKey, slot, record },
        policy,
        leasing,
        nowMs,
        windowStartMs,
        lease,
      );
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
    where: { storageKey: string; leaseKey: string; slot: string; record: DecisionRecord | undefined },
    policy: Extract<RateLimitPolicy, { kind: 'fixed_window' }>,
    leasing: LeasingOptions,
    nowMs: number,
    windowStartMs: number,
    previous: LeaseState | undefined,
  ): Promise<RateLimitDecision> => {
    const { storageKey, leaseKey, slot, record } = where;
    const math = fixedWindowMath(policy);
    let take = nextLeaseSize({ previous, nowMs, waiting: 1, quota: policy.requests, options: leasing });
    let calls = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const result = await store.consumeFixedWindow({
        key: record === undefined ? storageKey : slot,
        limit: policy.requests,
        take,
        expiresAtSeconds: math.expiresAtSeconds(windowStartMs),
        ...(record === undefined ? {} : { record: { ...record, nowMs, windowStartMs } }),
      });
      calls += result.calls ?? 1;
      if (result.recordChanged === true) return recordChangedDecision(policy, calls);
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
        return math.decision(policy, true, count - (take - 1), nowMs, 'backend', calls);
      }
      if (count >= policy.requests) return math.decision(policy, false, count, nowMs, 'backend', calls);
      take = policy.requests - count;
    }
    // Only reachable when other instances take every remainder first; rejecting is the safe answer.
    return math.decision(policy, false, policy.requests, nowMs, 'backend', calls);
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
      const record = options?.record;
      if (record !== undefined && mustNotExist.length > 0)
        throw new TypeError('a decision proves either a record or revocation markers');
      if (mustNotExist.some((marker) => knownRevoked.has(marker))) return revokedDecision(policy);
      const decision = await (policy.kind === 'token_bucket'
        ? decideTokenBucket(key, policy, mustNotExist, record)
        : decideFixedWindow(key, policy, mustNotExist, record));
      if (decision.guardFailed) {
        rememberRevoked(mustNotExist);
        return decision;
      }
      // A decision that found the record changed was a write (source backend): it is returned as it is.
      // A decision that made no write (a reject proven from cached state, a request spent from a lease)
      // did not prove the record: one consistent read does, so a changed key is never answered from
      // what this instance knew of it (a revoked key gets its 401, not a 429 or a leased admit).
      if (record !== undefined && decision.source !== 'backend') {
        if (store.recordIsCurrent === undefined)
          throw new TypeError('record-kept limits need recordIsCurrent');
        const current = await store.recordIsCurrent({ ...record, nowMs: clock.nowMs() });
        return current
          ? { ...decision, backendCalls: decision.backendCalls + 1 }
          : recordChangedDecision(policy, decision.backendCalls + 1);
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
