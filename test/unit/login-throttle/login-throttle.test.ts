/**
 * The login throttle over the in-memory store (which keeps the DynamoDB adapter's conditions, see
 * login-throttle-store-contract.ts): free attempts, the doubling back-off per account, per address and
 * per account at one address, the address charged before the password check and refunded after, and one
 * password check per account at a time. Concurrency on the real conditions is proven on DynamoDB Local
 * (test/integration/rate-limit/login-throttle.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  createLoginThrottle,
  type LoginSubject,
  type LoginThrottle,
  type LoginThrottleCheck,
} from '../../../shared/domain/login-throttle/login-throttle.js';
import type { LoginThrottlePolicy } from '../../../shared/domain/login-throttle/login-throttle-policy.js';
import type {
  ConditionalStreakWrite,
  LoginThrottleStore,
} from '../../../shared/domain/login-throttle/login-throttle-store.js';
import {
  type InMemoryLoginThrottleStore,
  inMemoryLoginThrottleStore,
} from '../../support/in-memory-login-throttle-store.js';
import { type ManualClock, manualClock } from '../../support/test-runtime.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
const accountPolicy: LoginThrottlePolicy = {
  freeAttempts: 3,
  baseDelaySeconds: 1,
  maxDelaySeconds: 8,
  resetAfterSeconds: 600,
};
const clientIpPolicy: LoginThrottlePolicy = {
  freeAttempts: 6,
  baseDelaySeconds: 1,
  maxDelaySeconds: 8,
  resetAfterSeconds: 600,
};
const pairPolicy: LoginThrottlePolicy = {
  freeAttempts: 3,
  baseDelaySeconds: 1,
  maxDelaySeconds: 900,
  resetAfterSeconds: 3600,
};
const roomy: LoginThrottlePolicy = { ...clientIpPolicy, freeAttempts: 1_000 };

interface Setup {
  readonly store: InMemoryLoginThrottleStore;
  readonly clock: ManualClock;
  readonly throttle: LoginThrottle;
}

const setup = (
  options: {
    readonly clientIp?: LoginThrottlePolicy;
    readonly pair?: LoginThrottlePolicy;
    readonly store?: LoginThrottleStore;
  } = {},
): Setup => {
  const store = inMemoryLoginThrottleStore();
  const clock = manualClock(t0);
  let attempt = 0;
  const throttle = createLoginThrottle({
    store: options.store ?? store,
    clock,
    accountPolicy,
    clientIpPolicy: options.clientIp ?? clientIpPolicy,
    ...(options.pair === undefined ? {} : { accountAtClientIpPolicy: options.pair }),
    newAttemptId: () => {
      attempt += 1;
      return `attempt-${attempt}`;
    },
  });
  return { store, clock, throttle };
};

/** A check that, when allowed, ends at once without a verdict: a login never attempted. */
const probe = async (throttle: LoginThrottle, subject: LoginSubject): Promise<LoginThrottleCheck> => {
  const result = await throttle.check(subject);
  if (result.allowed) await result.attempt.finish();
  return result;
};

const fail = async (throttle: LoginThrottle, subject: LoginSubject): Promise<boolean> => {
  const result = await throttle.check(subject);
  if (!result.allowed) return false;
  await result.attempt.recordFailure();
  await result.attempt.finish();
  return true;
};

const succeed = async (throttle: LoginThrottle, subject: LoginSubject): Promise<boolean> => {
  const result = await throttle.check(subject);
  if (!result.allowed) return false;
  await result.attempt.recordSuccess();
  await result.attempt.finish();
  return true;
};

const alice = { account: 'alice', clientIp: '198.51.100.1' };

describe('the account back-off', () => {
  it('allows the free attempts, then doubles the delay up to the maximum', async () => {
    const { throttle, clock } = setup({ clientIp: roomy });
    const delays: number[] = [];
    for (let failure = 1; failure <= 8; failure += 1) {
      expect(await fail(throttle, alice)).toBe(true);
      const after = await probe(throttle, alice);
      delays.push(after.allowed ? 0 : after.retryAfterSeconds);
      if (!after.allowed) clock.advanceMs(after.retryAfterSeconds * 1000);
    }
    expect(delays).toEqual([0, 0, 0, 1, 2, 4, 8, 8]);
  });

  it('refuses while the block stands and allows the moment it ends', async () => {
    const { throttle, clock } = setup({ clientIp: roomy });
    for (let i = 0; i < 4; i += 1) await fail(throttle, alice);
    // The fourth failure is the first past the free ones: a 1 s block.
    clock.advanceMs(999);
    expect(await probe(throttle, alice)).toEqual({ allowed: false, retryAfterSeconds: 1, scope: 'account' });
    clock.advanceMs(1);
    expect((await probe(throttle, alice)).allowed).toBe(true);
  });

  it('counts on a streak whose last failure is less than resetAfterSeconds old', async () => {
    const { throttle, clock } = setup({ clientIp: roomy });
    for (let i = 0; i < 4; i += 1) await fail(throttle, alice);
    clock.advanceMs(599_999);
    expect(await fail(throttle, alice)).toBe(true);
    expect(await probe(throttle, alice)).toEqual({ allowed: false, retryAfterSeconds: 2, scope: 'account' });
  });

  it('forgets a streak resetAfterSeconds after its last failure, never locking an account for good', async () => {
    const { throttle, clock } = setup({ clientIp: roomy });
    for (let i = 0; i < 4; i += 1) await fail(throttle, alice);
    clock.advanceMs(600_000);
    // The new streak starts at one: three free failures again.
    for (let i = 0; i < 3; i += 1) expect(await fail(throttle, alice)).toBe(true);
    expect((await probe(throttle, alice)).allowed).toBe(true);
  });

  it("ends the account's streak on the right password", async () => {
    const { throttle, clock, store } = setup({ clientIp: roomy });
    for (let i = 0; i < 4; i += 1) await fail(throttle, alice);
    clock.advanceMs(1_000);
    expect(await succeed(throttle, alice)).toBe(true);
    expect(store.item('login#account#alice')).toBeUndefined();
    for (let i = 0; i < 3; i += 1) expect(await fail(throttle, alice)).toBe(true);
    expect((await probe(throttle, alice)).allowed).toBe(true);
  });

  it('writes no block while failures are free, and keeps the streak for its reset plus the longest delay', async () => {
    const { throttle, store } = setup({ clientIp: roomy });
    for (let i = 0; i < 3; i += 1) await fail(throttle, alice);
    expect(store.calls().filter((call) => call.startsWith('blockUntil'))).toEqual([]);
    expect(store.item('login#account#alice')).toMatchObject({
      failures: 3,
      expiresAtSeconds: t0 / 1000 + 600 + 8,
    });
  });

  it('tells the store, for each streak a failure counts in, whether the check saw it running', async () => {
    const base = inMemoryLoginThrottleStore();
    const hints: string[] = [];
    // The hint picks which conditional write the DynamoDB adapter tries first (one write when right).
    const store: LoginThrottleStore = {
      ...base,
      recordFailure: (request) => {
        hints.push(`${request.key} ${String(request.streakRunning)}`);
        return base.recordFailure(request);
      },
    };
    const { throttle, clock } = setup({ store, pair: pairPolicy, clientIp: roomy });
    const account = 'login#account#alice';
    const pair = 'login#pair#alice#198.51.100.1';
    await fail(throttle, alice);
    await fail(throttle, alice);
    // The account's last failure is now exactly resetAfterSeconds old: its streak is over, the pair's runs on.
    clock.advanceMs(600_000);
    await fail(throttle, alice);
    expect(hints).toEqual([
      `${account} false`,
      `${pair} false`,
      `${account} true`,
      `${pair} true`,
      `${account} false`,
      `${pair} true`,
    ]);
  });

  it('sets the block from the failure that earns it', async () => {
    const { throttle, store, clock } = setup({ clientIp: roomy });
    for (let i = 0; i < 3; i += 1) await fail(throttle, alice);
    clock.advanceMs(500);
    await fail(throttle, alice);
    expect(store.item('login#account#alice')).toMatchObject({ failures: 4, blockedUntilMs: t0 + 1_500 });
    expect(store.calls().filter((call) => call.startsWith('blockUntil'))).toEqual([
      'blockUntil login#account#alice',
    ]);
  });
});

describe('addresses that fail and addresses that do not', () => {
  it('never stops the owner on an address without failures, however many fresh addresses fail', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 11; i += 1) {
      expect(await fail(throttle, { account: 'owned', clientIp: `203.0.113.${i + 1}` })).toBe(true);
    }
    expect(await succeed(throttle, { account: 'owned', clientIp: '198.51.100.200' })).toBe(true);
  });

  it('holds every address that has failed, against any account, to the account-wide back-off', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 4; i += 1)
      await fail(throttle, { account: 'guessed', clientIp: `203.0.113.${50 + i}` });
    expect(await probe(throttle, { account: 'guessed', clientIp: '203.0.113.50' })).toMatchObject({
      allowed: false,
      scope: 'account',
    });
    expect(await fail(throttle, { account: 'someone-else', clientIp: '203.0.113.99' })).toBe(true);
    expect(await probe(throttle, { account: 'guessed', clientIp: '203.0.113.99' })).toMatchObject({
      allowed: false,
      scope: 'account',
    });
  });

  it('lets an address whose failures are older than its streak pass the account-wide back-off', async () => {
    const { throttle, clock } = setup();
    await fail(throttle, { account: 'someone-else', clientIp: '203.0.113.7' });
    clock.advanceMs(601_000);
    for (let i = 0; i < 4; i += 1)
      await fail(throttle, { account: 'guessed', clientIp: `203.0.113.${60 + i}` });
    expect((await probe(throttle, { account: 'guessed', clientIp: '203.0.113.7' })).allowed).toBe(true);
  });

  it('lets an address whose last failure is exactly resetAfterSeconds old pass the account-wide back-off', async () => {
    const { throttle, store } = setup();
    store.put('login#ip#198.51.100.1', { failures: 1, lastFailureMs: t0 - 600_000 });
    store.put('login#account#alice', { failures: 9, lastFailureMs: t0 - 1, blockedUntilMs: t0 + 6_000 });
    expect((await probe(throttle, alice)).allowed).toBe(true);
    store.put('login#ip#198.51.100.1', { failures: 1, lastFailureMs: t0 - 599_999 });
    expect((await probe(throttle, alice)).allowed).toBe(false);
  });

  it('never stops the owner on a clean address when a pair policy is set either', async () => {
    const { throttle, store } = setup({ pair: pairPolicy });
    store.put('login#account#alice', { failures: 9, lastFailureMs: t0 - 1, blockedUntilMs: t0 + 6_000 });
    expect((await probe(throttle, alice)).allowed).toBe(true);
  });

  it('neither reads nor honours a pair streak without a pair policy', async () => {
    const { throttle, store } = setup();
    store.put('login#pair#alice#198.51.100.1', {
      failures: 9,
      lastFailureMs: t0 - 1,
      blockedUntilMs: t0 + 30_000,
    });
    expect((await probe(throttle, alice)).allowed).toBe(true);
    expect(store.calls().filter((call) => call.includes('login#pair#'))).toEqual([]);
  });

  it('holds one account at one failing address to its own, longer back-off', async () => {
    const { throttle, clock } = setup({ pair: pairPolicy, clientIp: roomy });
    const attacker = { account: 'target', clientIp: '192.0.2.66' };
    const delays: number[] = [];
    for (let step = 0; step < 9; step += 1) {
      expect(await fail(throttle, attacker)).toBe(true);
      const after = await probe(throttle, attacker);
      delays.push(after.allowed ? 0 : after.retryAfterSeconds);
      if (!after.allowed) clock.advanceMs(after.retryAfterSeconds * 1000);
    }
    // The pair's curve (16 s, 32 s) outgrows the account's 8 s cap; the longer block is the one reported.
    expect(delays).toEqual([0, 0, 0, 1, 2, 4, 8, 16, 32]);
    expect((await probe(throttle, { account: 'target', clientIp: '198.51.100.9' })).allowed).toBe(true);
  });

  it('counts a failure against the pair only when a pair policy is set', async () => {
    const { throttle, store } = setup();
    await fail(throttle, alice);
    expect(store.item('login#pair#alice#198.51.100.1')).toBeUndefined();
    const paired = setup({ pair: pairPolicy });
    await fail(paired.throttle, alice);
    expect(paired.store.item('login#pair#alice#198.51.100.1')).toMatchObject({
      failures: 1,
      expiresAtSeconds: t0 / 1000 + 3600 + 900,
    });
  });

  it('blocks on a pair that has failed even when the address budget is clean', async () => {
    const { throttle, store } = setup({ pair: pairPolicy });
    store.put('login#pair#alice#198.51.100.1', {
      failures: 9,
      lastFailureMs: t0 - 1,
      blockedUntilMs: t0 + 30_000,
    });
    store.put('login#account#alice', { failures: 9, lastFailureMs: t0 - 1, blockedUntilMs: t0 + 5_000 });
    expect(await probe(throttle, alice)).toEqual({ allowed: false, retryAfterSeconds: 30, scope: 'account' });
  });

  it('holds an address to the account-wide back-off once its pair has failed, even with a clean address budget', async () => {
    const { throttle, store } = setup({ pair: pairPolicy });
    store.put('login#pair#alice#198.51.100.1', { failures: 1, lastFailureMs: t0 - 1 });
    store.put('login#account#alice', { failures: 9, lastFailureMs: t0 - 1, blockedUntilMs: t0 + 5_000 });
    expect(await probe(throttle, alice)).toEqual({ allowed: false, retryAfterSeconds: 5, scope: 'account' });
  });

  it('answers with the longest block that applies', async () => {
    const { throttle, store } = setup();
    store.put('login#ip#198.51.100.1', { failures: 30, lastFailureMs: t0 - 1, blockedUntilMs: t0 + 4_000 });
    store.put('login#account#alice', { failures: 9, lastFailureMs: t0 - 1, blockedUntilMs: t0 + 6_000 });
    expect(await probe(throttle, alice)).toEqual({ allowed: false, retryAfterSeconds: 6, scope: 'account' });
    store.put('login#ip#198.51.100.1', { failures: 30, lastFailureMs: t0 - 1, blockedUntilMs: t0 + 7_500 });
    expect(await probe(throttle, alice)).toEqual({
      allowed: false,
      retryAfterSeconds: 8,
      scope: 'client_ip',
    });
  });

  it('ignores an address streak with no failures left in it when judging the account-wide block', async () => {
    const { throttle, store } = setup();
    store.put('login#ip#198.51.100.1', { failures: 0, lastFailureMs: t0 - 1 });
    store.put('login#account#alice', { failures: 9, lastFailureMs: t0 - 1, blockedUntilMs: t0 + 6_000 });
    expect((await probe(throttle, alice)).allowed).toBe(true);
  });
});

describe('the address budget, charged before the password check', () => {
  it('gives parallel guesses naming different accounts no more than one after another would get', async () => {
    const { throttle } = setup();
    const tried = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fail(throttle, { account: `unknown-${i}`, clientIp: '198.51.100.5' }),
      ),
    );
    expect(tried.filter(Boolean)).toHaveLength(clientIpPolicy.freeAttempts + 1);
    expect(await probe(throttle, { account: 'unknown-x', clientIp: '198.51.100.5' })).toMatchObject({
      allowed: false,
      scope: 'client_ip',
    });
  });

  it('allows one attempt per lapse of the back-off past the free ones, each setting the next block', async () => {
    const { throttle, clock, store } = setup();
    const ip = '198.51.100.6';
    for (let i = 0; i < 7; i += 1)
      expect(await fail(throttle, { account: `a${i}`, clientIp: ip })).toBe(true);
    expect(store.item(`login#ip#${ip}`)).toMatchObject({ failures: 7, blockedUntilMs: t0 + 1_000 });
    expect(await probe(throttle, { account: 'b', clientIp: ip })).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
      scope: 'client_ip',
    });
    clock.advanceMs(1_000);
    expect(await fail(throttle, { account: 'c', clientIp: ip })).toBe(true);
    expect(store.item(`login#ip#${ip}`)).toMatchObject({ failures: 8, blockedUntilMs: t0 + 3_000 });
  });

  it('keeps an address streak a reset plus a maximum delay beyond its last charge', async () => {
    const { throttle, store } = setup();
    await probe(throttle, alice);
    expect(store.item('login#ip#198.51.100.1')?.expiresAtSeconds).toBe(t0 / 1000 + 600 + 8);
  });

  it('starts a new address streak once the old one is older than its reset', async () => {
    const { throttle, clock, store } = setup();
    const ip = '198.51.100.7';
    for (let i = 0; i < 7; i += 1) await fail(throttle, { account: `a${i}`, clientIp: ip });
    clock.advanceMs(601_000);
    expect(await fail(throttle, { account: 'z', clientIp: ip })).toBe(true);
    expect(store.item(`login#ip#${ip}`)).toMatchObject({ failures: 1 });
    expect(store.item(`login#ip#${ip}`)?.blockedUntilMs).toBeUndefined();
  });

  it('gives the charge back for a right password and for an attempt that never reached a verdict', async () => {
    const { throttle, store } = setup({ clientIp: { ...clientIpPolicy, freeAttempts: 2 } });
    const office = '198.51.100.8';
    for (let i = 0; i < 5; i += 1) {
      expect(await succeed(throttle, { account: `colleague-${i}`, clientIp: office })).toBe(true);
      expect((await probe(throttle, { account: `colleague-${i}`, clientIp: office })).allowed).toBe(true);
    }
    expect(store.item(`login#ip#${office}`)?.failures).toBe(0);
  });

  it('keeps the address charge of a wrong password', async () => {
    const { throttle, store } = setup();
    await fail(throttle, alice);
    expect(store.item('login#ip#198.51.100.1')?.failures).toBe(1);
  });

  it('refunds the charge and lifts its block when the right password comes after the free attempts', async () => {
    const { throttle, store } = setup({ clientIp: { ...clientIpPolicy, freeAttempts: 1 } });
    const ip = '198.51.100.10';
    await fail(throttle, { account: 'a', clientIp: ip });
    expect(await succeed(throttle, { account: 'b', clientIp: ip })).toBe(true);
    expect(store.item(`login#ip#${ip}`)).toMatchObject({ failures: 1 });
    expect(store.item(`login#ip#${ip}`)?.blockedUntilMs).toBeUndefined();
    expect((await probe(throttle, { account: 'c', clientIp: ip })).allowed).toBe(true);
  });

  it('refuses until the block ends when another attempt set one after its read', async () => {
    const base = inMemoryLoginThrottleStore();
    const ip = 'login#ip#198.51.100.1';
    base.put(ip, { failures: 30, lastFailureMs: t0 - 1, blockedUntilMs: t0 + 4_500 });
    // The read saw the address before the other attempt's block landed.
    const store: LoginThrottleStore = {
      ...base,
      readAll: async (keys) => {
        const states = await base.readAll(keys);
        return states.map((state, index) => (keys[index] === ip ? undefined : state));
      },
    };
    const { throttle } = setup({ store });
    expect(await throttle.check(alice)).toEqual({ allowed: false, retryAfterSeconds: 5, scope: 'client_ip' });
    expect(base.item(ip)).toMatchObject({ failures: 30, blockedUntilMs: t0 + 4_500 });
    // Refused by the charge's first write, which found the block: nothing further was tried.
    expect(base.calls()).toEqual([`readAll login#account#alice,${ip}`, `restartStreak ${ip}`]);
  });

  it('refuses for a second when contention keeps refusing every write of the charge', async () => {
    const state = { failures: 1, blockedUntilMs: 0, lastFailureMs: t0 - 1 };
    const writes: string[] = [];
    const refused = async (name: string): Promise<ConditionalStreakWrite> => {
      writes.push(name);
      return { applied: false, state };
    };
    const store: LoginThrottleStore = {
      ...inMemoryLoginThrottleStore(),
      countFreeAttempt: () => refused('free'),
      restartStreak: () => refused('restart'),
      countBlockedAttempt: () => refused('blocked'),
    };
    const { throttle } = setup({ store });
    expect(await throttle.check(alice)).toEqual({ allowed: false, retryAfterSeconds: 1, scope: 'client_ip' });
    expect(writes).toHaveLength(6);
  });

  it('charges on the sixth write when the first five lose a race', async () => {
    const state = { failures: 1, blockedUntilMs: 0, lastFailureMs: t0 - 1 };
    let writes = 0;
    const write = async (): Promise<ConditionalStreakWrite> => {
      writes += 1;
      return writes < 6 ? { applied: false, state } : { applied: true, state: { ...state, failures: 2 } };
    };
    const store: LoginThrottleStore = {
      ...inMemoryLoginThrottleStore(),
      countFreeAttempt: write,
      restartStreak: write,
      countBlockedAttempt: write,
    };
    const { throttle } = setup({ store });
    expect((await throttle.check(alice)).allowed).toBe(true);
  });

  it('restarts the streak of an address it finds without one, and counts free attempts on a running one', async () => {
    const calls: string[] = [];
    const base = inMemoryLoginThrottleStore();
    const recording: LoginThrottleStore = {
      ...base,
      countFreeAttempt: (request) => {
        calls.push('free');
        return base.countFreeAttempt(request);
      },
      restartStreak: (request) => {
        calls.push('restart');
        return base.restartStreak(request);
      },
    };
    const { throttle } = setup({ store: recording });
    await probe(throttle, alice);
    await fail(throttle, alice);
    // The read found no streak, so the first write is the restart the read predicts (no wasted free
    // count first); the second attempt finds the streak running and counts a free attempt.
    expect(calls).toEqual(['restart', 'free']);
  });
});

describe('one password check per account at a time', () => {
  it('lets one of many parallel checks through and refuses the rest as in flight', async () => {
    const { throttle } = setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => throttle.check({ account: 'parallel', clientIp: `192.0.2.${i}` })),
    );
    const allowed = results.flatMap((result) => (result.allowed ? [result.attempt] : []));
    expect(allowed).toHaveLength(1);
    expect(results.filter((r) => !r.allowed)).toEqual(
      Array.from({ length: 19 }, () => ({
        allowed: false,
        retryAfterSeconds: 1,
        scope: 'account_in_flight',
      })),
    );
    await allowed[0]?.finish();
    expect((await probe(throttle, { account: 'parallel', clientIp: '192.0.2.99' })).allowed).toBe(true);
  });

  it('gives a refused check its address charge back', async () => {
    const { throttle, store } = setup();
    await throttle.check({ account: 'busy', clientIp: '192.0.2.1' });
    await throttle.check({ account: 'busy', clientIp: '192.0.2.2' });
    expect(store.item('login#ip#192.0.2.2')?.failures).toBe(0);
  });

  it('lifts the block a refused check set on its address', async () => {
    const { throttle, store } = setup({ clientIp: { ...clientIpPolicy, freeAttempts: 0 } });
    await throttle.check({ account: 'busy', clientIp: '192.0.2.1' });
    store.put('login#ip#192.0.2.2', { failures: 3, lastFailureMs: t0 - 1 });
    await throttle.check({ account: 'busy', clientIp: '192.0.2.2' });
    expect(store.item('login#ip#192.0.2.2')).toMatchObject({ failures: 3 });
    expect(store.item('login#ip#192.0.2.2')?.blockedUntilMs).toBeUndefined();
  });

  it('frees a slot a crashed attempt never released once its five-second lease has passed', async () => {
    const { throttle, clock, store } = setup();
    expect((await throttle.check({ account: 'crashed', clientIp: '192.0.2.200' })).allowed).toBe(true);
    expect(store.item('login#account#crashed')).toMatchObject({
      attemptSlotUntilMs: t0 + 5_000,
      expiresAtSeconds: t0 / 1000 + 600 + 8,
    });
    clock.advanceMs(4_999);
    expect((await throttle.check({ account: 'crashed', clientIp: '192.0.2.201' })).allowed).toBe(false);
    clock.advanceMs(1);
    expect((await throttle.check({ account: 'crashed', clientIp: '192.0.2.202' })).allowed).toBe(true);
  });

  it('never lets an attempt whose lease lapsed release the slot a newer attempt holds', async () => {
    const { throttle, clock } = setup();
    const slow = await throttle.check({ account: 'leased', clientIp: '192.0.2.210' });
    clock.advanceMs(5_000);
    expect((await throttle.check({ account: 'leased', clientIp: '192.0.2.211' })).allowed).toBe(true);
    if (slow.allowed) await slow.attempt.finish();
    expect(await throttle.check({ account: 'leased', clientIp: '192.0.2.212' })).toMatchObject({
      allowed: false,
      scope: 'account_in_flight',
    });
  });

  it('makes no further store call when a successful attempt finishes: the success already removed the slot', async () => {
    const { throttle, store } = setup();
    const check = await throttle.check(alice);
    if (!check.allowed) throw new Error('expected the attempt to be allowed');
    await check.attempt.recordSuccess();
    const before = store.calls().length;
    await check.attempt.finish();
    expect(store.calls().slice(before)).toEqual([]);
    expect(store.item('login#account#alice')).toBeUndefined();
  });

  it('releases the slot, keeping the charge, when a failed attempt finishes', async () => {
    const { throttle, store } = setup();
    const check = await throttle.check(alice);
    if (!check.allowed) throw new Error('expected the attempt to be allowed');
    await check.attempt.recordFailure();
    const before = store.calls().length;
    await check.attempt.finish();
    expect(store.calls().slice(before)).toEqual(['releaseAttempt login#account#alice']);
  });

  it('keeps the charge of an attempt that reached a verdict when it finishes', async () => {
    const { throttle, store } = setup();
    const check = await throttle.check(alice);
    if (!check.allowed) throw new Error('expected the attempt to be allowed');
    await check.attempt.recordFailure();
    await check.attempt.finish();
    expect(store.calls().filter((call) => call.startsWith('refundAttempt'))).toEqual([]);
  });
});
