/**
 * The limiter's decisions over the in-memory store (which keeps the DynamoDB adapter's conditions, see
 * rate-limit-store-contract.ts): what is admitted and reported, when the cached state proves a reject
 * with no store call, how a wrong guess is corrected, and how revocation markers win over limits.
 * Concurrency against the real conditions is proven on DynamoDB Local (test/integration/rate-limit).
 */
import { describe, expect, it } from 'vitest';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';
import type { ConsumeResult, RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { createRateLimiter } from '../../../shared/domain/rate-limit/rate-limiter.js';
import { inMemoryRateLimitStore } from '../../support/in-memory-rate-limit-store.js';
import { manualClock } from '../../support/test-runtime.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
/** Three at once, then one a second: interval 1 s, tolerance 2 s. */
const bucket: RateLimitPolicy = { kind: 'token_bucket', burst: 3, perSeconds: 3 };
const bucketKey = (key: string) => `${key}#tb-3-per-3s`;
const window: RateLimitPolicy = { kind: 'fixed_window', requests: 3, windowSeconds: 60 };

const setup = (maxCachedKeys?: number) => {
  const store = inMemoryRateLimitStore();
  const clock = manualClock(t0);
  const limiter = createRateLimiter({
    store,
    clock,
    ...(maxCachedKeys === undefined ? {} : { maxCachedKeys }),
  });
  return { store, clock, limiter };
};

/** A store that answers every consume with the results given, in order, and counts the calls. */
const scriptedStore = (...results: ConsumeResult[]): RateLimitStore & { calls: () => number } => {
  let calls = 0;
  const next = async (): Promise<ConsumeResult> => {
    const result = results[Math.min(calls, results.length - 1)];
    calls += 1;
    if (result === undefined) throw new Error('no scripted result');
    return result;
  };
  return {
    calls: () => calls,
    consumeTokenBucket: next,
    consumeFixedWindow: next,
    anyGuardExists: async () => false,
  };
};

describe('token bucket decisions', () => {
  it('admits burst requests at once, counting down what is left, then rejects until the next token', async () => {
    const { limiter } = setup();
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await limiter.decide('client', bucket));
    expect(decisions.map((d) => [d.allowed, d.remaining, d.resetSeconds])).toEqual([
      [true, 2, 1],
      [true, 1, 2],
      [true, 0, 3],
      [false, 0, 3],
    ]);
    expect(decisions[3]).toMatchObject({ retryAfterSeconds: 1, policy: bucket, guardFailed: false });
  });

  it('admits again once a token has refilled, and not a millisecond before', async () => {
    const { limiter, clock } = setup();
    for (let i = 0; i < 3; i += 1) await limiter.decide('client', bucket);
    clock.advanceMs(999);
    expect((await limiter.decide('client', bucket)).allowed).toBe(false);
    clock.advanceMs(1);
    expect(await limiter.decide('client', bucket)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('makes one store call per admitted decision and none for a reject the cached state proves', async () => {
    const { limiter, store } = setup();
    for (let i = 0; i < 3; i += 1)
      expect(await limiter.decide('client', bucket)).toMatchObject({ backendCalls: 1 });
    expect(store.calls()).toBe(3);
    expect(await limiter.decide('client', bucket)).toMatchObject({
      allowed: false,
      source: 'cache',
      backendCalls: 0,
    });
    expect(store.calls()).toBe(3);
  });

  it('keeps each key and each policy in a bucket of its own, stored under the policy name', async () => {
    const { limiter, store } = setup();
    for (let i = 0; i < 3; i += 1) await limiter.decide('client', bucket);
    expect((await limiter.decide('other', bucket)).allowed).toBe(true);
    const bigger: RateLimitPolicy = { kind: 'token_bucket', burst: 5, perSeconds: 3 };
    expect(await limiter.decide('client', bigger)).toMatchObject({ allowed: true, remaining: 4 });
    expect(store.item(bucketKey('client'))?.tat).toBe(t0 + 3_000);
    expect(store.item('client#tb-5-per-3s')?.tat).toBe(t0 + 600);
  });

  it('keeps an item a minute beyond the time the bucket would be full again', async () => {
    const { limiter, store } = setup();
    await limiter.decide('client', bucket);
    expect(store.item(bucketKey('client'))?.expiresAtSeconds).toBe(t0 / 1000 + 3 + 60);
  });

  it('never admits from its cached state: another instance spending the bucket is seen at the next write', async () => {
    const { limiter, store, clock } = setup();
    const other = createRateLimiter({ store, clock });
    expect((await limiter.decide('shared', bucket)).remaining).toBe(2);
    await other.decide('shared', bucket);
    await other.decide('shared', bucket);
    expect(await limiter.decide('shared', bucket)).toMatchObject({ allowed: false, source: 'backend' });
  });

  it('guesses busy on a key it has not seen, so another instance being ahead costs no second write', async () => {
    const { limiter, store, clock } = setup();
    await createRateLimiter({ store, clock }).decide('shared', bucket);
    expect(await limiter.decide('shared', bucket)).toMatchObject({
      allowed: true,
      remaining: 1,
      backendCalls: 1,
    });
  });

  it('rejects at the first write when the stored state it learns proves the bucket spent', async () => {
    const { limiter, store, clock } = setup();
    const other = createRateLimiter({ store, clock });
    for (let i = 0; i < 3; i += 1) await other.decide('shared', bucket);
    expect(await limiter.decide('shared', bucket)).toMatchObject({
      allowed: false,
      source: 'backend',
      backendCalls: 1,
      retryAfterSeconds: 1,
      resetSeconds: 3,
    });
    // What it learnt is cached: the next reject needs no store call.
    expect(await limiter.decide('shared', bucket)).toMatchObject({ source: 'cache', backendCalls: 0 });
  });

  it('starts over with a full bucket when the item expired between its decisions', async () => {
    const { limiter, store } = setup();
    await limiter.decide('client', bucket);
    await limiter.decide('client', bucket);
    store.expire(bucketKey('client'));
    // Its cached TAT is ahead, so it guesses busy; the busy write starts a missing item from now.
    expect(await limiter.decide('client', bucket)).toMatchObject({
      allowed: true,
      remaining: 2,
      backendCalls: 1,
    });
  });

  it('resumes from the cached state once its time has passed, guessing the bucket idle', async () => {
    const { limiter, store, clock } = setup();
    await limiter.decide('client', bucket);
    clock.advanceMs(5_000);
    expect(await limiter.decide('client', bucket)).toMatchObject({
      allowed: true,
      remaining: 2,
      backendCalls: 1,
    });
    expect(store.calls()).toBe(2);
  });

  it('guesses idle, not busy, when its cached state is exactly now', async () => {
    const { limiter, clock } = setup();
    await limiter.decide('client', bucket);
    clock.advanceMs(1_000);
    expect(await limiter.decide('client', bucket)).toMatchObject({ allowed: true, backendCalls: 1 });
  });

  it('corrects a wrong busy guess when the stored state is not after now (another clock, a rewritten item)', async () => {
    for (const storedTat of [t0 - 500, t0]) {
      const { limiter, store } = setup();
      await limiter.decide('client', bucket);
      store.put(bucketKey('client'), { tat: storedTat, expiresAtSeconds: t0 / 1000 + 70 });
      expect(await limiter.decide('client', bucket)).toMatchObject({ allowed: true, backendCalls: 2 });
    }
  });

  it('keeps rejecting in process after an expired item was written again', async () => {
    const { limiter, store } = setup();
    await limiter.decide('client', bucket);
    await limiter.decide('client', bucket);
    store.expire(bucketKey('client'));
    for (let i = 0; i < 3; i += 1) expect((await limiter.decide('client', bucket)).allowed).toBe(true);
    const calls = store.calls();
    expect(await limiter.decide('client', bucket)).toMatchObject({ allowed: false, source: 'cache' });
    expect(store.calls()).toBe(calls);
  });

  it('admits a guarded request after a forced expiry in one write, reporting conservatively from its cache', async () => {
    const { limiter, store } = setup();
    const guard = { mustNotExist: ['revoked#live'] };
    await limiter.decide('user', bucket, guard);
    await limiter.decide('user', bucket, guard);
    store.expire(bucketKey('user'));
    // Admitted in one write. A guarded write returns no state (a transaction), so what it reports comes
    // from the stale cache and errs low (remaining 0, not 2). Only a forced expiry gets here: DynamoDB's
    // TTL removes an item after its TAT has passed, when the cached TAT is past too and the guess is idle.
    expect(await limiter.decide('user', bucket, guard)).toMatchObject({
      allowed: true,
      remaining: 0,
      backendCalls: 1,
    });
  });

  it('keeps the latest state when concurrent writes answer out of order', async () => {
    const store = inMemoryRateLimitStore();
    let release: (() => void) | undefined;
    let holdNext = false;
    const lateAnswer: RateLimitStore = {
      ...store,
      consumeTokenBucket: async (request) => {
        const result = await store.consumeTokenBucket(request);
        if (holdNext) {
          holdNext = false;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
        return result;
      },
    };
    const limiter = createRateLimiter({ store: lateAnswer, clock: manualClock(t0) });
    await limiter.decide('client', bucket);
    holdNext = true;
    const first = limiter.decide('client', bucket);
    // The second write lands after the first and spends the bucket; its answer arrives first.
    expect(await limiter.decide('client', bucket)).toMatchObject({ allowed: true, remaining: 0 });
    release?.();
    await first;
    expect(await limiter.decide('client', bucket)).toMatchObject({ allowed: false, source: 'cache' });
  });

  it('rejects after three writes when contention keeps refusing its guesses', async () => {
    const store = scriptedStore({ admitted: false, value: t0, guardFailed: false });
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    expect(await limiter.decide('contended', bucket)).toMatchObject({
      allowed: false,
      source: 'backend',
      backendCalls: 3,
      retryAfterSeconds: 1,
      resetSeconds: 3,
    });
    expect(store.calls()).toBe(3);
  });

  it('retries a refusal that says the item is gone as an idle guess', async () => {
    const store = scriptedStore(
      { admitted: false, value: undefined, guardFailed: false },
      { admitted: true, value: t0 + 1_000, guardFailed: false },
    );
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    expect(await limiter.decide('gone', bucket)).toMatchObject({
      allowed: true,
      remaining: 2,
      backendCalls: 2,
    });
  });

  it('takes a transactional admit, which returns no state, as one interval after the state it expected', async () => {
    const { limiter, store } = setup();
    const guard = { mustNotExist: ['revoked#live'] };
    const decisions = [];
    for (let i = 0; i < 3; i += 1) decisions.push(await limiter.decide('user', bucket, guard));
    expect(decisions.map((d) => [d.allowed, d.remaining, d.resetSeconds, d.backendCalls])).toEqual([
      [true, 2, 1, 1],
      [true, 1, 2, 1],
      [true, 0, 3, 1],
    ]);
    expect(store.item(bucketKey('user'))?.tat).toBe(t0 + 3_000);
  });

  it('bases the lower bound on the later of its cached state and now after a busy guess', async () => {
    const store = scriptedStore(
      { admitted: true, value: t0 + 1_000, guardFailed: false },
      { admitted: true, value: undefined, guardFailed: false },
    );
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock });
    await limiter.decide('user', bucket);
    clock.advanceMs(500);
    // Cached TAT t0 + 1000 is ahead of now: the next TAT is at least t0 + 2000, 1.5 s from now.
    expect(await limiter.decide('user', bucket)).toMatchObject({
      allowed: true,
      remaining: 1,
      resetSeconds: 2,
    });
  });

  it('counts a transactional admit after a refusal that says the item is gone from now, not from its cache', async () => {
    const store = scriptedStore(
      { admitted: true, value: t0 + 1_000, guardFailed: false },
      { admitted: false, value: undefined, guardFailed: false },
      { admitted: true, value: undefined, guardFailed: false },
    );
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    await limiter.decide('user', bucket);
    // The item is gone (expired, rewritten): the bucket was full, so the admit leaves two of three.
    expect(await limiter.decide('user', bucket)).toMatchObject({
      allowed: true,
      remaining: 2,
      resetSeconds: 1,
      backendCalls: 2,
    });
  });

  it('rejects after three refusals that never say the state, retrying after the tolerance', async () => {
    const store = scriptedStore({ admitted: false, value: undefined, guardFailed: false });
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    expect(await limiter.decide('silent', bucket)).toMatchObject({
      allowed: false,
      source: 'backend',
      backendCalls: 3,
      retryAfterSeconds: 1,
      resetSeconds: 3,
    });
  });
});

describe('fixed window decisions', () => {
  const windowStart = Math.floor(t0 / 60_000) * 60_000;
  const windowKey = (key: string) => `${key}#fw-3-per-60s#${windowStart}`;

  it('admits the window quota, then rejects until the window ends, and starts the next one at zero', async () => {
    const { limiter, clock } = setup();
    clock.setMs(windowStart + 45_000);
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await limiter.decide('client', window));
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(decisions[3]).toMatchObject({
      retryAfterSeconds: 15,
      resetSeconds: 15,
      source: 'cache',
      backendCalls: 0,
    });
    clock.advanceMs(15_000);
    expect(await limiter.decide('client', window)).toMatchObject({
      allowed: true,
      remaining: 2,
      resetSeconds: 60,
    });
  });

  it('stores each window under its own key, kept a minute beyond the window', async () => {
    const { limiter, store } = setup();
    await limiter.decide('client', window);
    expect(store.item(windowKey('client'))).toEqual({
      count: 1,
      expiresAtSeconds: windowStart / 1000 + 60 + 60,
    });
  });

  it('rejects from the store once another instance filled the window, then from its cache', async () => {
    const { limiter, store, clock } = setup();
    const other = createRateLimiter({ store, clock });
    for (let i = 0; i < 3; i += 1) await other.decide('shared', window);
    expect(await limiter.decide('shared', window)).toMatchObject({
      allowed: false,
      source: 'backend',
      backendCalls: 1,
    });
    expect(await limiter.decide('shared', window)).toMatchObject({
      allowed: false,
      source: 'cache',
      backendCalls: 0,
    });
    expect(store.calls()).toBe(4);
  });

  it('counts a transactional admit, which returns no count, as one more than it knew of', async () => {
    const { limiter } = setup();
    const guard = { mustNotExist: ['revoked#live'] };
    const remaining = [];
    for (let i = 0; i < 3; i += 1) remaining.push((await limiter.decide('user', window, guard)).remaining);
    expect(remaining).toEqual([2, 1, 0]);
  });

  it('refuses a revoked credential without spending, reporting the window as it knew it', async () => {
    const { limiter, store } = setup();
    await limiter.decide('user', window);
    await limiter.decide('user', window);
    store.revoke('revoked#dead');
    expect(await limiter.decide('user', window, { mustNotExist: ['revoked#dead'] })).toMatchObject({
      allowed: false,
      guardFailed: true,
      remaining: 1,
    });
    expect(store.item(windowKey('user'))?.count).toBe(2);
  });

  it('takes a refusal that does not say the count as a full window', async () => {
    const store = scriptedStore({ admitted: false, value: undefined, guardFailed: false });
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    expect(await limiter.decide('unknown', window)).toMatchObject({ allowed: false, remaining: 0 });
    expect(await limiter.decide('unknown', window)).toMatchObject({ allowed: false, source: 'cache' });
    expect(store.calls()).toBe(1);
  });
});

describe.each([
  ['token bucket', bucket],
  ['fixed window', window],
] as const)('revocation markers with a %s', (_label, policy) => {
  it('refuses a credential whose marker exists in the same write, spending nothing', async () => {
    const { limiter, store } = setup();
    store.revoke('revoked#dead');
    expect(await limiter.decide('user', policy, { mustNotExist: ['revoked#dead'] })).toMatchObject({
      allowed: false,
      guardFailed: true,
      source: 'backend',
      backendCalls: 1,
    });
    expect((await limiter.decide('user', policy)).remaining).toBe(2);
  });

  it('refuses a marker it has seen, with no store call and nothing to retry', async () => {
    const { limiter, store } = setup();
    store.revoke('revoked#dead');
    await limiter.decide('user', policy, { mustNotExist: ['revoked#dead'] });
    expect(await limiter.decide('user', policy, { mustNotExist: ['revoked#dead'] })).toEqual({
      allowed: false,
      policy,
      remaining: 0,
      resetSeconds: 0,
      retryAfterSeconds: undefined,
      source: 'cache',
      backendCalls: 0,
      guardFailed: true,
    });
    expect(store.calls()).toBe(1);
  });

  it('remembers no marker from a decision with several, since a failed guard does not say which exists', async () => {
    const { limiter, store } = setup();
    store.revoke('revoked#b');
    const guard = { mustNotExist: ['revoked#a', 'revoked#b'] };
    await limiter.decide('user', policy, guard);
    expect(await limiter.decide('user', policy, guard)).toMatchObject({ guardFailed: true, backendCalls: 1 });
    expect(await limiter.decide('user', policy, { mustNotExist: ['revoked#a'] })).toMatchObject({
      allowed: true,
      guardFailed: false,
    });
  });

  it('remembers no marker that a read found absent', async () => {
    const { limiter, clock } = setup();
    const guard = { mustNotExist: ['revoked#live'] };
    for (let i = 0; i < 4; i += 1) await limiter.decide('user', policy, guard);
    clock.advanceMs(60_000);
    expect(await limiter.decide('user', policy, guard)).toMatchObject({ allowed: true, guardFailed: false });
  });

  it('costs one store call for an admitted guarded decision', async () => {
    const { limiter, store } = setup();
    await limiter.decide('user', policy, { mustNotExist: ['revoked#live'] });
    expect(store.calls()).toBe(1);
  });

  it('lets revocation win over a limit proven in process: one consistent read of the marker', async () => {
    const { limiter, store } = setup();
    const guard = { mustNotExist: ['revoked#late'] };
    for (let i = 0; i < 3; i += 1) await limiter.decide('user', policy, guard);
    expect(await limiter.decide('user', policy, guard)).toMatchObject({
      allowed: false,
      guardFailed: false,
      source: 'backend',
      backendCalls: 1,
    });
    store.revoke('revoked#late');
    expect(await limiter.decide('user', policy, guard)).toMatchObject({ allowed: false, guardFailed: true });
    const calls = store.calls();
    expect(await limiter.decide('user', policy, guard)).toMatchObject({ guardFailed: true, backendCalls: 0 });
    expect(store.calls()).toBe(calls);
  });

  it('reads no marker for a reject proven in process when the decision has none', async () => {
    const { limiter, store } = setup();
    for (let i = 0; i < 4; i += 1) await limiter.decide('anonymous', policy);
    expect(store.calls()).toBe(3);
  });
});

describe('bounded memory', () => {
  const one: RateLimitPolicy = { kind: 'token_bucket', burst: 2, perSeconds: 3600 };

  it('drops the least recently written key first when the cache is full', async () => {
    const { limiter, store } = setup(2);
    await limiter.decide('a', one);
    await limiter.decide('b', one);
    await limiter.decide('a', one);
    await limiter.decide('c', one);
    // a was written after b, so b went: a's spent bucket still rejects with no store call.
    const calls = store.calls();
    expect(await limiter.decide('a', one)).toMatchObject({ allowed: false, source: 'cache' });
    expect(store.calls()).toBe(calls);
  });

  it('asks the store again about a key whose cached state was dropped', async () => {
    const { limiter, store } = setup(1);
    await limiter.decide('a', one);
    await limiter.decide('a', one);
    await limiter.decide('b', one);
    const calls = store.calls();
    expect(await limiter.decide('a', one)).toMatchObject({ allowed: false, source: 'backend' });
    expect(store.calls()).toBe(calls + 1);
  });

  it('keeps at most maxCachedKeys revoked markers, dropping the oldest', async () => {
    const { limiter, store } = setup(1);
    store.revoke('revoked#1');
    store.revoke('revoked#2');
    await limiter.decide('u1', one, { mustNotExist: ['revoked#1'] });
    await limiter.decide('u2', one, { mustNotExist: ['revoked#2'] });
    const calls = store.calls();
    expect(await limiter.decide('u2', one, { mustNotExist: ['revoked#2'] })).toMatchObject({
      backendCalls: 0,
    });
    expect(await limiter.decide('u1', one, { mustNotExist: ['revoked#1'] })).toMatchObject({
      backendCalls: 1,
    });
    expect(store.calls()).toBe(calls + 1);
  });

  it('caches ten thousand keys by default', async () => {
    const { limiter, store } = setup();
    await limiter.decide('first', one);
    await limiter.decide('first', one);
    for (let i = 0; i < 9_999; i += 1)
      await limiter.decide(`k${i}`, { kind: 'fixed_window', requests: 1, windowSeconds: 60 });
    const calls = store.calls();
    expect(await limiter.decide('first', one)).toMatchObject({ source: 'cache' });
    expect(store.calls()).toBe(calls);
    await limiter.decide('k-last', { kind: 'fixed_window', requests: 1, windowSeconds: 60 });
    expect(await limiter.decide('first', one)).toMatchObject({ source: 'backend' });
  });
});

describe('a burst on a cold key', () => {
  it('sends the first decision alone and starts the rest from the state it learns: one write each', async () => {
    const { limiter, store } = setup();
    const decisions = await Promise.all(Array.from({ length: 10 }, () => limiter.decide('cold', bucket)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    // Guessing alone, each of the ten would pay a wrong idle guess: nineteen writes instead of ten.
    expect(store.calls()).toBe(10);
    expect(decisions.reduce((sum, d) => sum + d.backendCalls, 0)).toBe(10);
  });

  it('sends the first decision alone over an existing idle bucket too: one wrong guess in all, not one each', async () => {
    const store = inMemoryRateLimitStore();
    const clock = manualClock(t0);
    await createRateLimiter({ store, clock }).decide('idle', bucket);
    clock.advanceMs(10_000);
    const guesses: string[] = [];
    const watched: RateLimitStore = {
      ...store,
      consumeTokenBucket: (request) => {
        guesses.push(request.assume);
        return store.consumeTokenBucket(request);
      },
    };
    const limiter = createRateLimiter({ store: watched, clock });
    const decisions = await Promise.all(Array.from({ length: 3 }, () => limiter.decide('idle', bucket)));
    expect(decisions.map((d) => [d.allowed, d.backendCalls])).toEqual([
      [true, 2],
      [true, 1],
      [true, 1],
    ]);
    expect(guesses).toEqual(['busy', 'idle', 'busy', 'busy']);
  });

  it('sends the first decision after a failed one alone again', async () => {
    const store = inMemoryRateLimitStore();
    const clock = manualClock(t0);
    // Another instance left an idle bucket: a cold guess (busy) is wrong for it.
    await createRateLimiter({ store, clock }).decide('cold', bucket);
    clock.advanceMs(10_000);
    let failNext = true;
    let writes = 0;
    const failingOnce: RateLimitStore = {
      ...store,
      consumeTokenBucket: async (request) => {
        writes += 1;
        if (failNext) {
          failNext = false;
          throw new Error('backend down');
        }
        return store.consumeTokenBucket(request);
      },
    };
    const limiter = createRateLimiter({ store: failingOnce, clock });
    await expect(limiter.decide('cold', bucket)).rejects.toThrow('backend down');
    writes = 0;
    const decisions = await Promise.all(Array.from({ length: 10 }, () => limiter.decide('cold', bucket)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    // One wrong guess for the decision sent alone; the others start from the state it learned.
    expect(writes).toBe(11);
  });

  it('lets decisions on a key with cached state run side by side: a slow write holds up no other', async () => {
    const store = inMemoryRateLimitStore();
    let release: (() => void) | undefined;
    let holdNext = false;
    const slowOnce: RateLimitStore = {
      ...store,
      consumeTokenBucket: async (request) => {
        if (holdNext) {
          holdNext = false;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
        return store.consumeTokenBucket(request);
      },
    };
    const limiter = createRateLimiter({ store: slowOnce, clock: manualClock(t0) });
    await limiter.decide('warm', bucket);
    holdNext = true;
    const slow = limiter.decide('warm', bucket);
    expect(await limiter.decide('warm', bucket)).toMatchObject({ allowed: true });
    release?.();
    expect(await slow).toMatchObject({ allowed: true });
  });

  it('still decides the waiting ones when the first decision fails', async () => {
    const store = inMemoryRateLimitStore();
    let failNext = true;
    const failing: RateLimitStore = {
      ...store,
      consumeTokenBucket: async (request) => {
        if (failNext) {
          failNext = false;
          throw new Error('backend down');
        }
        return store.consumeTokenBucket(request);
      },
    };
    const limiter = createRateLimiter({ store: failing, clock: manualClock(t0) });
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => limiter.decide('cold', bucket)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });
});
