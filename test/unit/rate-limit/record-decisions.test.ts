/**
 * Decisions kept on a principal's record (an API key's, ADR 0005, API-key requests): the limiter writes
 * the slot `<key>#<policy>` on the record with the record's id and version, every decision proves the
 * record current (in its write, or by one read when it makes none), and a changed record spends nothing
 * and says `recordChanged`. Over the in-memory store, whose record conditions are the adapter's (the
 * same decisions on DynamoDB Local: test/integration/api-keys/api-key-requests.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';
import type { ConsumeResult, RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { createRateLimiter } from '../../../shared/domain/rate-limit/rate-limiter.js';
import { importFresh } from '../../support/import-fresh.js';
import { inMemoryRateLimitStore, type ProvableRecord } from '../../support/in-memory-rate-limit-store.js';
import { manualClock } from '../../support/test-runtime.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
const windowStart = Math.floor(t0 / 60_000) * 60_000;
const window: RateLimitPolicy = { kind: 'fixed_window', requests: 2, windowSeconds: 60 };
const bucket: RateLimitPolicy = { kind: 'token_bucket', burst: 2, perSeconds: 2 };
const big: RateLimitPolicy = { kind: 'fixed_window', requests: 1_000, windowSeconds: 60 };
const leasing = { lifetimeMs: 1_000, minQuota: 1_000, targetMs: 100, quotaDivisor: 50 };

const setup = (options: { leased?: boolean } = {}) => {
  const records = new Map<string, ProvableRecord>([
    ['key-a', { version: 1, revoked: false, expiresAtMs: undefined }],
    ['key-b', { version: 7, revoked: false, expiresAtMs: t0 + 60_000 }],
  ]);
  const store = inMemoryRateLimitStore(undefined, (id) => records.get(id));
  const clock = manualClock(t0);
  const limiter = createRateLimiter({
    store,
    clock,
    ...(options.leased === true ? { leasing } : {}),
  });
  const change = (id: string, change: Partial<ProvableRecord>) => {
    const record = records.get(id);
    if (record !== undefined) records.set(id, { ...record, ...change });
  };
  return { store, clock, limiter, change };
};

const a = { id: 'key-a', version: 1 };

describe('a fixed window on a record', () => {
  it('writes the slot <key>#<policy> on the record, one call per decision, and rejects past the quota', async () => {
    const { limiter, store } = setup();
    const decisions = [];
    for (let i = 0; i < 3; i += 1) decisions.push(await limiter.decide('rl#me', window, { record: a }));
    expect(decisions.map((d) => [d.allowed, d.remaining, d.source, d.backendCalls])).toEqual([
      [true, 1, 'backend', 1],
      [true, 0, 'backend', 1],
      // Proven full from cached state, then the record proven by one read.
      [false, 0, 'cache', 1],
    ]);
    expect(decisions.every((d) => d.recordChanged === undefined)).toBe(true);
    expect(store.slot('key-a', 'rl#me#fw-2-per-60s')).toEqual({ windowStartMs: windowStart, count: 2 });
  });

  it('keeps each record apart: the same slot on two records is two budgets', async () => {
    const { limiter } = setup();
    await limiter.decide('rl#me', window, { record: a });
    await limiter.decide('rl#me', window, { record: a });
    expect((await limiter.decide('rl#me', window, { record: { id: 'key-b', version: 7 } })).allowed).toBe(
      true,
    );
  });

  it('spends nothing and says recordChanged when the record moved past the version', async () => {
    const { limiter, store, change } = setup();
    change('key-a', { version: 2 });
    const decision = await limiter.decide('rl#me', window, { record: a });
    expect(decision).toMatchObject({
      allowed: false,
      recordChanged: true,
      source: 'backend',
      backendCalls: 1,
      guardFailed: false,
    });
    expect(store.slot('key-a', 'rl#me#fw-2-per-60s')).toBeUndefined();
    expect((await limiter.decide('rl#me', window, { record: { id: 'key-a', version: 2 } })).allowed).toBe(
      true,
    );
  });

  it('says recordChanged for a revoked record, an expired one and a missing one', async () => {
    const { limiter, change, clock } = setup();
    change('key-a', { revoked: true });
    expect((await limiter.decide('rl#me', window, { record: a })).recordChanged).toBe(true);
    clock.advanceMs(60_000);
    expect(
      (await limiter.decide('rl#me', window, { record: { id: 'key-b', version: 7 } })).recordChanged,
    ).toBe(true);
    expect(
      (await limiter.decide('rl#me', window, { record: { id: 'gone', version: 1 } })).recordChanged,
    ).toBe(true);
  });

  it('proves the record by one read before a reject from cached state, and says recordChanged if it moved', async () => {
    const { limiter, store, change } = setup();
    await limiter.decide('rl#me', window, { record: a });
    await limiter.decide('rl#me', window, { record: a });
    await limiter.decide('rl#me', window, { record: a });
    const callsBefore = store.calls();
    expect(await limiter.decide('rl#me', window, { record: a })).toMatchObject({
      allowed: false,
      source: 'cache',
      backendCalls: 1,
    });
    expect(store.calls() - callsBefore).toBe(1);
    change('key-a', { revoked: true });
    expect(await limiter.decide('rl#me', window, { record: a })).toMatchObject({
      allowed: false,
      recordChanged: true,
      backendCalls: 1,
    });
  });

  it('refuses to decide with both a record and revocation markers', async () => {
    const { limiter } = setup();
    await expect(limiter.decide('rl#me', window, { record: a, mustNotExist: ['revoked#s'] })).rejects.toThrow(
      new TypeError('a decision proves either a record or revocation markers'),
    );
  });
});

describe('the limiter module loaded afresh (its helpers are module constants)', () => {
  it('keeps records apart and says recordChanged, spending nothing, from a changed one', async () => {
    const fresh = await importFresh<typeof import('../../../shared/domain/rate-limit/rate-limiter.js')>(
      new URL('../../../shared/domain/rate-limit/rate-limiter.js', import.meta.url),
    );
    const { store, clock, change } = setup();
    const limiter = fresh.createRateLimiter({ store, clock });
    for (let i = 0; i < 3; i += 1) await limiter.decide('rl#me', window, { record: a });
    expect(await limiter.decide('rl#me', window, { record: { id: 'key-b', version: 7 } })).toMatchObject({
      allowed: true,
      source: 'backend',
    });
    change('key-a', { version: 2 });
    expect(await limiter.decide('rl#me', bucket, { record: a })).toEqual({
      allowed: false,
      policy: bucket,
      remaining: 0,
      resetSeconds: 0,
      retryAfterSeconds: undefined,
      source: 'backend',
      backendCalls: 1,
      guardFailed: false,
      recordChanged: true,
    });
  });
});

describe('a token bucket on a record', () => {
  it('writes the slot on the record and rejects past the burst, proving the record by a read when cached', async () => {
    const { limiter, store } = setup();
    const first = await limiter.decide('rl#me', bucket, { record: a });
    const second = await limiter.decide('rl#me', bucket, { record: a });
    expect([first.allowed, second.allowed]).toEqual([true, true]);
    expect(store.slot('key-a', 'rl#me#tb-2-per-2s')).toEqual({ tat: t0 + 2_000 });
    const third = await limiter.decide('rl#me', bucket, { record: a });
    expect(third).toMatchObject({ allowed: false, source: 'cache', backendCalls: 1 });
  });

  it('says recordChanged when the record moved, with nothing spent', async () => {
    const { limiter, store, change } = setup();
    change('key-a', { version: 3 });
    expect(await limiter.decide('rl#me', bucket, { record: a })).toMatchObject({
      allowed: false,
      recordChanged: true,
      backendCalls: 1,
    });
    expect(store.slot('key-a', 'rl#me#tb-2-per-2s')).toBeUndefined();
  });
});

describe('a leased window on a record', () => {
  it('proves every request spent from a lease by one read, and refuses the request after a change', async () => {
    const { limiter, store, clock, change } = setup({ leased: true });
    // Busy on this instance: the second write takes a lease.
    for (let i = 0; i < 40; i += 1) {
      await limiter.decide('rl#me', big, { record: a });
      clock.advanceMs(1);
    }
    const leased = await limiter.decide('rl#me', big, { record: a });
    expect(leased).toMatchObject({ allowed: true, source: 'lease', backendCalls: 1 });
    change('key-a', { version: 2 });
    const callsBefore = store.calls();
    expect(await limiter.decide('rl#me', big, { record: a })).toMatchObject({
      allowed: false,
      recordChanged: true,
      backendCalls: 1,
    });
    expect(store.calls() - callsBefore).toBe(1);
  });

  it('says recordChanged when the lease write finds the record changed, and takes no lease', async () => {
    const { limiter, change } = setup({ leased: true });
    change('key-a', { revoked: true });
    expect(await limiter.decide('rl#me', big, { record: a })).toMatchObject({
      allowed: false,
      recordChanged: true,
    });
  });
});

describe('what the store is asked', () => {
  const recording = (result: ConsumeResult) => {
    const requests: unknown[] = [];
    const store: RateLimitStore = {
      anyGuardExists: async () => false,
      consumeTokenBucket: async (request) => {
        requests.push(request);
        return result;
      },
      consumeFixedWindow: async (request) => {
        requests.push(request);
        return result;
      },
    };
    return { store, requests };
  };

  it('names the slot without the record, and passes the record id, version, time and window', async () => {
    const { store, requests } = recording({ admitted: true, value: 1, guardFailed: false });
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    await limiter.decide('rl#me', window, { record: a });
    await limiter.decide('rl#me', bucket, { record: a });
    expect(requests).toEqual([
      expect.objectContaining({
        key: 'rl#me#fw-2-per-60s',
        record: { id: 'key-a', version: 1, nowMs: t0, windowStartMs: windowStart },
      }),
      expect.objectContaining({ key: 'rl#me#tb-2-per-2s', record: { id: 'key-a', version: 1, nowMs: t0 } }),
    ]);
  });

  it('reports the calls a store made for one write (a second slot write, a conflict retried)', async () => {
    const { store } = recording({ admitted: true, value: 1, guardFailed: false, calls: 2 });
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    expect((await limiter.decide('rl#me', window, { record: a })).backendCalls).toBe(2);
    expect((await limiter.decide('rl#me', bucket, { record: a })).backendCalls).toBe(2);
  });

  it('reports the calls of a lease write on a record, and a changed record found by it', async () => {
    const admitted = recording({ admitted: true, value: 1, guardFailed: false, calls: 2 });
    const leasedLimiter = createRateLimiter({ store: admitted.store, clock: manualClock(t0), leasing });
    expect(await leasedLimiter.decide('rl#me', big, { record: a })).toMatchObject({
      allowed: true,
      backendCalls: 2,
    });
    expect(admitted.requests).toEqual([
      expect.objectContaining({
        key: 'rl#me#fw-1000-per-60s',
        take: 1,
        record: { id: 'key-a', version: 1, nowMs: t0, windowStartMs: windowStart },
      }),
    ]);
    const changed = recording({
      admitted: false,
      value: undefined,
      guardFailed: false,
      recordChanged: true,
      calls: 2,
    });
    const changedLimiter = createRateLimiter({ store: changed.store, clock: manualClock(t0), leasing });
    expect(await changedLimiter.decide('rl#me', big, { record: a })).toMatchObject({
      recordChanged: true,
      backendCalls: 2,
    });
  });

  it('reports the calls of a changed record the store found on its second try', async () => {
    const { store } = recording({
      admitted: false,
      value: undefined,
      guardFailed: false,
      recordChanged: true,
      calls: 2,
    });
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    expect(await limiter.decide('rl#me', window, { record: a })).toMatchObject({
      recordChanged: true,
      backendCalls: 2,
    });
    expect(await limiter.decide('rl#me', bucket, { record: a })).toMatchObject({
      recordChanged: true,
      backendCalls: 2,
    });
  });

  it('needs a store that can read a record to prove a decision made without a write', async () => {
    const { store } = recording({ admitted: false, value: 2, guardFailed: false });
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    await limiter.decide('rl#me', window, { record: a });
    await expect(limiter.decide('rl#me', window, { record: a })).rejects.toThrow(
      new TypeError('record-kept limits need recordIsCurrent'),
    );
  });
});
