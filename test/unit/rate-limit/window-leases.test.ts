import { describe, expect, it } from 'vitest';
import type { ConsumeResult, RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { createRateLimiter } from '../../../shared/domain/rate-limit/rate-limiter.js';
import {
  defaultLeasingOptions,
  type LeaseState,
  nextLeaseSize,
  observedRatePerMs,
} from '../../../shared/domain/rate-limit/window-lease.js';
import { countingStore, manualClock } from './counting-store.js';

// Aligned to a one-second window.
const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
const hot = { kind: 'fixed_window', requests: 5_000, windowSeconds: 1 } as const;
const leasing = { lifetimeMs: 1_000, minQuota: 1_000, targetMs: 100, quotaDivisor: 50 };

const lease = (overrides: Partial<LeaseState> = {}): LeaseState => ({
  windowStartMs: t0,
  tokens: 0,
  takenAtMs: t0,
  taken: 20,
  endsAtMs: t0 + 1_000,
  storedCount: 20,
  ...overrides,
});

describe('lease size', () => {
  it('takes one request when the key has no recent lease here (an exact decision)', () => {
    expect(
      nextLeaseSize({ previous: undefined, nowMs: t0, waiting: 1, quota: 5_000, options: leasing }),
    ).toBe(1);
  });

  it('takes the observed rate times the target duration', () => {
    // 20 served in 10 ms: 2 per ms, 200 over 100 ms, capped at 5 000 / 50 = 100.
    expect(
      nextLeaseSize({ previous: lease(), nowMs: t0 + 10, waiting: 1, quota: 5_000, options: leasing }),
    ).toBe(100);
    // 20 served in 40 ms: 0.5 per ms, 50 over 100 ms.
    expect(
      nextLeaseSize({ previous: lease(), nowMs: t0 + 40, waiting: 1, quota: 5_000, options: leasing }),
    ).toBe(50);
  });

  it('takes at least what is waiting, at most the quota share, never less than one', () => {
    expect(
      nextLeaseSize({ previous: undefined, nowMs: t0, waiting: 7, quota: 5_000, options: leasing }),
    ).toBe(7);
    expect(
      nextLeaseSize({ previous: undefined, nowMs: t0, waiting: 700, quota: 5_000, options: leasing }),
    ).toBe(100);
    expect(nextLeaseSize({ previous: undefined, nowMs: t0, waiting: 0, quota: 10, options: leasing })).toBe(
      1,
    );
  });

  it('measures the rate over what a lease served until it ran out or ended', () => {
    // 15 of 20 served; the lease ended at +500 although it is now +800.
    const ended = lease({ tokens: 5, endsAtMs: t0 + 500 });
    expect(observedRatePerMs(ended, t0 + 800, 1_000)).toBe(15 / 500);
    // Taken and spent in the same millisecond: counted over one.
    expect(observedRatePerMs(lease(), t0, 1_000)).toBe(20);
  });

  it('forgets a lease that ended longer ago than the lifetime', () => {
    const ended = lease({ endsAtMs: t0 + 100 });
    expect(observedRatePerMs(ended, t0 + 1_100, 1_000)).toBe(0.2);
    expect(observedRatePerMs(ended, t0 + 1_101, 1_000)).toBe(0);
    expect(observedRatePerMs(undefined, t0, 1_000)).toBe(0);
  });

  it('has documented defaults: 1 s lifetime, quotas from 1 000, 100 ms leases, at most 2 % of a window', () => {
    expect(defaultLeasingOptions).toEqual(leasing);
  });
});

describe('leased fixed windows', () => {
  it('admits a hot key from leases: far fewer writes than requests, never past the window', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock, leasing });
    let admitted = 0;
    let calls = 0;
    for (let index = 0; index < 6_000; index += 1) {
      const decision = await limiter.decide('k', hot);
      if (decision.allowed) admitted += 1;
      calls += decision.backendCalls;
      if (index % 10 === 9) clock.advance(1);
    }
    expect(admitted).toBe(5_000);
    expect(calls).toBe(writes.length);
    expect(writes.length).toBeLessThan(120);
    expect(writes[0]).toEqual({ kind: 'fixed_window', take: 1 });
  });

  it('takes exactly what is left when a lease does not fit, and rejects in process after', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const other = createRateLimiter({ store, clock });
    for (let index = 0; index < 4_990; index += 1) await other.decide('k', hot);
    const limiter = createRateLimiter({ store, clock, leasing });
    writes.length = 0;
    await limiter.decide('k', hot);
    clock.advance(1);
    // Learned 1 per ms: wants 100, 9 left.
    const taken = await limiter.decide('k', hot);
    expect(taken).toMatchObject({ allowed: true, backendCalls: 2, remaining: 8 });
    expect(writes).toEqual([
      { kind: 'fixed_window', take: 1 },
      { kind: 'fixed_window', take: 100 },
      { kind: 'fixed_window', take: 9 },
    ]);
    const spent = [];
    for (let index = 0; index < 8; index += 1) spent.push(await limiter.decide('k', hot));
    expect(spent.every((decision) => decision.allowed && decision.source === 'lease')).toBe(true);
    expect(spent.at(-1)).toMatchObject({ remaining: 0, backendCalls: 0 });
    expect(await limiter.decide('k', hot)).toMatchObject({
      allowed: false,
      source: 'cache',
      backendCalls: 0,
    });
    expect(writes).toHaveLength(3);
  });

  it('rejects with the stored count when the window is already full', async () => {
    const { store } = countingStore();
    const clock = manualClock(t0);
    const other = createRateLimiter({ store, clock });
    for (let index = 0; index < 5_000; index += 1) await other.decide('k', hot);
    const limiter = createRateLimiter({ store, clock, leasing });
    expect(await limiter.decide('k', hot)).toMatchObject({
      allowed: false,
      source: 'backend',
      backendCalls: 1,
      remaining: 0,
    });
  });

  it('reports remaining as the window left after the lease plus the leased requests not spent', async () => {
    const { store } = countingStore();
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock, leasing });
    await limiter.decide('k', hot);
    clock.advance(1);
    const first = await limiter.decide('k', hot);
    // 1 + 100 taken: 4 899 left in the window, 99 of the lease unspent.
    expect(first).toMatchObject({ allowed: true, source: 'backend', remaining: 4_899 + 99 });
    expect(await limiter.decide('k', hot)).toMatchObject({ source: 'lease', remaining: 4_899 + 98 });
  });

  it('never spends a lease after it ends or in another window', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0 + 100);
    const limiter = createRateLimiter({ store, clock, leasing: { ...leasing, lifetimeMs: 50 } });
    await limiter.decide('k', hot);
    clock.advance(1);
    await limiter.decide('k', hot);
    clock.advance(49);
    expect(await limiter.decide('k', hot)).toMatchObject({ source: 'lease' });
    clock.advance(1);
    expect(await limiter.decide('k', hot)).toMatchObject({ source: 'backend' });
    expect(writes).toHaveLength(3);

    const windowClock = manualClock(t0 + 998);
    const second = createRateLimiter({ store, clock: windowClock, leasing });
    await second.decide('w', hot);
    windowClock.advance(1);
    await second.decide('w', hot);
    windowClock.advance(1);
    // The lease was taken in the window ending at t0 + 1 000: a new window writes again (100 taken,
    // 4 900 left in it and 99 of the lease unspent).
    expect(await second.decide('w', hot)).toMatchObject({ source: 'backend', remaining: 4_900 + 99 });
  });

  it('never spends a lease in an earlier window when the clock steps back', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock, leasing });
    await limiter.decide('k', hot);
    clock.advance(1);
    await limiter.decide('k', hot);
    // The lease of the window from t0 still runs, but the clock now reads the window before it.
    clock.set(t0 - 10);
    expect(await limiter.decide('k', hot)).toMatchObject({ allowed: true, source: 'backend' });
    expect(writes).toHaveLength(3);
  });

  it('retries a lease refused by other instances taking what is left at most three writes, then rejects', async () => {
    const refused = { admitted: false, value: 4_990, guardFailed: false };
    const scripted = (...results: ConsumeResult[]): RateLimitStore => {
      let calls = 0;
      const next = async (): Promise<ConsumeResult> => {
        const result = results[Math.min(calls, results.length - 1)] ?? refused;
        calls += 1;
        return result;
      };
      return { consumeTokenBucket: next, consumeFixedWindow: next, anyGuardExists: async () => false };
    };
    const lastFits = scripted(refused, refused, { admitted: true, value: 5_000, guardFailed: false });
    expect(
      await createRateLimiter({ store: lastFits, clock: manualClock(t0), leasing }).decide('k', hot),
    ).toMatchObject({ allowed: true, source: 'backend', backendCalls: 3 });
    const neverFits = scripted(refused);
    expect(
      await createRateLimiter({ store: neverFits, clock: manualClock(t0), leasing }).decide('k', hot),
    ).toMatchObject({ allowed: false, source: 'backend', backendCalls: 3, remaining: 0 });
  });

  it('makes concurrent requests wait for one lease write instead of each writing', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock, leasing });
    await limiter.decide('k', hot);
    clock.advance(1);
    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.decide('k', hot)));
    expect(decisions.every((decision) => decision.allowed)).toBe(true);
    expect(writes).toHaveLength(2);
  });

  it('keeps exact decisions for small quotas, guarded requests and limiters without leasing', async () => {
    const small = { kind: 'fixed_window', requests: 999, windowSeconds: 1 } as const;
    for (const [policy, options, withLeasing] of [
      [small, undefined, true],
      [hot, { mustNotExist: ['revoked#s'] }, true],
      [hot, undefined, false],
    ] as const) {
      const { store, writes } = countingStore();
      const clock = manualClock(t0);
      const limiter = createRateLimiter({ store, clock, ...(withLeasing ? { leasing } : {}) });
      for (let index = 0; index < 5; index += 1) {
        await limiter.decide('k', policy, options);
        clock.advance(1);
      }
      expect(writes).toEqual(Array.from({ length: 5 }, () => ({ kind: 'fixed_window', take: 1 })));
    }
  });

  it('leases from a quota of exactly the minimum', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock, leasing });
    const atMinimum = { kind: 'fixed_window', requests: 1_000, windowSeconds: 1 } as const;
    await limiter.decide('k', atMinimum);
    clock.advance(1);
    await limiter.decide('k', atMinimum);
    // 1 per ms for 100 ms, capped at 1 000 / 50.
    expect(writes).toEqual([
      { kind: 'fixed_window', take: 1 },
      { kind: 'fixed_window', take: 20 },
    ]);
  });

  it('forgets the leases of the least recently leased keys past its bound', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock, leasing, maxCachedKeys: 1 });
    await limiter.decide('a', hot);
    clock.advance(1);
    await limiter.decide('a', hot);
    // Within the bound the lease is kept.
    expect(await limiter.decide('a', hot)).toMatchObject({ source: 'lease', backendCalls: 0 });
    await limiter.decide('b', hot);
    const writesBefore = writes.length;
    // 'a' held 99 leased requests, dropped when 'b' was leased: its next request writes again.
    expect(await limiter.decide('a', hot)).toMatchObject({ source: 'backend' });
    expect(writes.length).toBe(writesBefore + 1);
  });

  it('lets a failed lease write fail the decision and the next request try again', async () => {
    const { store } = countingStore();
    let fail = true;
    const failing = {
      ...store,
      consumeFixedWindow: (request: Parameters<typeof store.consumeFixedWindow>[0]) =>
        fail ? Promise.reject(new Error('down')) : store.consumeFixedWindow(request),
    };
    const limiter = createRateLimiter({ store: failing, clock: manualClock(t0), leasing });
    const both = await Promise.allSettled([limiter.decide('k', hot), limiter.decide('k', hot)]);
    expect(both.map((entry) => entry.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await limiter.decide('k', hot)).toMatchObject({ allowed: true });
  });
});
