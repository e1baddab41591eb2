import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbLoginThrottleStore } from '../../../shared/adapters/dynamodb/dynamodb-login-throttle-store.js';
import {
  createLoginThrottle,
  type LoginSubject,
  type LoginThrottle,
} from '../../../shared/domain/login-throttle/login-throttle.js';
import {
  defaultAccountAtClientIpPolicy,
  defaultAccountPolicy,
  defaultClientIpPolicy,
  type LoginThrottlePolicy,
} from '../../../shared/domain/login-throttle/login-throttle-policy.js';
import type { LoginThrottleStore } from '../../../shared/domain/login-throttle/login-throttle-store.js';
import {
  countCommands,
  createTestTables,
  type MutableClock,
  mutableClock,
} from '../../support/dynamodb-test-tables.js';

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
const roomyClientIpPolicy: LoginThrottlePolicy = { ...clientIpPolicy, freeAttempts: 1_000 };
const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);

let client: DynamoDBClient;
let store: LoginThrottleStore;

beforeAll(async () => {
  const created = await createTestTables();
  client = created.client;
  store = dynamoDbLoginThrottleStore(client, created.tables.rateLimits);
});
afterAll(() => client.destroy());

const throttleAt = (clock: MutableClock, addressPolicy = clientIpPolicy): LoginThrottle =>
  createLoginThrottle({
    store,
    clock,
    accountPolicy,
    clientIpPolicy: addressPolicy,
    newAttemptId: randomUUID,
  });

/** A check that, when allowed, ends the attempt at once without a verdict: a login never attempted. */
const probe = async (throttle: LoginThrottle, subject: LoginSubject) => {
  const result = await throttle.check(subject);
  if (result.allowed) await result.attempt.finish();
  return result;
};

/** One wrong password, when the throttle lets it be tried; true when it was tried. */
const fail = async (throttle: LoginThrottle, subject: LoginSubject): Promise<boolean> => {
  const result = await throttle.check(subject);
  if (!result.allowed) return false;
  await result.attempt.recordFailure();
  await result.attempt.finish();
  return true;
};

/** The right password, when the throttle lets it be tried; true when it was tried. */
const succeed = async (throttle: LoginThrottle, subject: LoginSubject): Promise<boolean> => {
  const result = await throttle.check(subject);
  if (!result.allowed) return false;
  await result.attempt.recordSuccess();
  await result.attempt.finish();
  return true;
};

describe('login throttling on DynamoDB Local', () => {
  it("frees the account's slot on success with the streak's delete, without a release write", async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const subject = { account: `acct-${randomUUID()}`, clientIp: '192.0.2.78' };
    const first = await throttle.check(subject);
    if (!first.allowed) throw new Error('the first attempt must be allowed');
    await first.attempt.recordSuccess();
    const calls = countCommands(client);
    await first.attempt.finish();
    expect(calls.count()).toBe(0);
    const next = await throttle.check(subject);
    expect(next.allowed).toBe(true);
    if (next.allowed) await next.attempt.finish();
  });

  it("records an account's first failure with one write per streak, and later ones with one each too", async () => {
    const clock = mutableClock(t0);
    const throttle = createLoginThrottle({
      store,
      clock,
      accountPolicy: { ...accountPolicy, freeAttempts: 100 },
      clientIpPolicy: roomyClientIpPolicy,
      accountAtClientIpPolicy: { ...accountPolicy, freeAttempts: 100 },
      newAttemptId: randomUUID,
    });
    const subject = { account: `acct-${randomUUID()}`, clientIp: '192.0.2.79' };
    for (const expected of [1, 2]) {
      const attempt = await throttle.check(subject);
      if (!attempt.allowed) throw new Error('the attempt must be allowed');
      const calls = countCommands(client);
      await attempt.attempt.recordFailure();
      // Account and account-at-address streaks: one write each, no back-off yet.
      expect(calls.count()).toBe(2);
      await attempt.attempt.finish();
      expect((await store.read(`login#account#${subject.account}`))?.failures).toBe(expected);
      expect((await store.read(`login#pair#${subject.account}#${subject.clientIp}`))?.failures).toBe(
        expected,
      );
      clock.advance(1_000);
    }
  });

  it('counts a failure whichever write the hint picks, when the hint is stale', async () => {
    const key = `login#account#${randomUUID()}`;
    const request = { key, nowMs: t0, streakStartMs: t0 - 600_000, expiresAtSeconds: t0 / 1000 + 3_600 };
    expect(await store.recordFailure({ ...request, streakRunning: true })).toBe(1);
    expect(await store.recordFailure({ ...request, streakRunning: false })).toBe(2);
    expect(await store.recordFailure({ ...request, streakRunning: true })).toBe(3);
    const fresh = `login#account#${randomUUID()}`;
    expect(await store.recordFailure({ ...request, key: fresh, streakRunning: false })).toBe(1);
    expect(await store.recordFailure({ ...request, key: fresh })).toBe(2);
  });

  it("makes a check three calls, fresh address or running streak: one read, the address's charge, the slot", async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const subject = { account: `acct-${randomUUID()}`, clientIp: '192.0.2.80' };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const calls = countCommands(client);
      const result = await throttle.check(subject);
      expect(calls.count()).toBe(3);
      if (!result.allowed) throw new Error('the attempt must be allowed');
      await result.attempt.recordFailure();
      await result.attempt.finish();
      clock.advance(1_000);
    }
    expect((await store.read(`login#ip#${subject.clientIp}`))?.failures).toBe(2);
  });

  it('reads every streak a check needs in one consistent call, in the order asked, missing ones undefined', async () => {
    const clock = mutableClock(t0);
    const subject = { account: `acct-${randomUUID()}`, clientIp: '192.0.2.77' };
    await fail(throttleAt(clock), subject);
    const calls = countCommands(client);
    const states = await store.readAll([
      `login#account#${subject.account}`,
      `login#none#${randomUUID()}`,
      `login#ip#${subject.clientIp}`,
    ]);
    expect(calls.count()).toBe(1);
    expect(states[0]).toMatchObject({ failures: 1, lastFailureMs: t0 });
    expect(states[1]).toBeUndefined();
    expect(states[2]?.failures).toBeGreaterThanOrEqual(1);
    expect(states).toHaveLength(3);
    expect(await store.readAll([])).toEqual([]);
  });

  it('allows the free attempts, then backs off with a doubling delay capped at the maximum', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock, roomyClientIpPolicy);
    const subject = { account: 'growing', clientIp: '198.51.100.1' };
    const delays: number[] = [];
    for (let failure = 1; failure <= 8; failure += 1) {
      expect(await fail(throttle, subject)).toBe(true);
      const after = await probe(throttle, subject);
      delays.push(after.allowed ? 0 : after.retryAfterSeconds);
      if (!after.allowed) clock.advance(after.retryAfterSeconds * 1000);
    }
    expect(delays).toEqual([0, 0, 0, 1, 2, 4, 8, 8]);
  });

  it('never locks an account permanently: the streak is forgotten after resetAfterSeconds', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const subject = { account: 'forgotten', clientIp: '198.51.100.2' };
    for (let i = 0; i < 4; i += 1) expect(await fail(throttle, subject)).toBe(true);
    expect((await probe(throttle, subject)).allowed).toBe(false);
    clock.advance(601_000);
    expect((await probe(throttle, subject)).allowed).toBe(true);
    expect(await fail(throttle, subject)).toBe(true);
    expect((await probe(throttle, subject)).allowed).toBe(true);
  });

  it("ends the account's streak on success but keeps the client address's failures", async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const ip = '198.51.100.3';
    for (let i = 0; i < 4; i += 1)
      expect(await fail(throttle, { account: 'victim', clientIp: ip })).toBe(true);
    expect(await probe(throttle, { account: 'victim', clientIp: ip })).toMatchObject({
      allowed: false,
      scope: 'account',
    });
    clock.advance(1_000);
    expect(await succeed(throttle, { account: 'victim', clientIp: ip })).toBe(true);
    expect((await probe(throttle, { account: 'victim', clientIp: ip })).allowed).toBe(true);
    // Four failures and the success given back: two more failures exhaust the address's six free ones.
    for (let i = 0; i < 2; i += 1)
      expect(await fail(throttle, { account: `sprayed-${i}`, clientIp: ip })).toBe(true);
    expect(await fail(throttle, { account: 'sprayed-last', clientIp: ip })).toBe(true);
    expect(await probe(throttle, { account: 'someone-else', clientIp: ip })).toMatchObject({
      allowed: false,
      scope: 'client_ip',
    });
  });

  it('charges the address before the password check: parallel guesses naming different accounts get no more than one after another', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const ip = '198.51.100.5';
    const tried = await Promise.all(
      Array.from({ length: 40 }, (_, i) => fail(throttle, { account: `unknown-${i}`, clientIp: ip })),
    );
    // Sequentially: six free failures, then a seventh that starts the back-off; nothing more at once.
    expect(tried.filter(Boolean)).toHaveLength(clientIpPolicy.freeAttempts + 1);
    expect(await probe(throttle, { account: 'unknown-x', clientIp: ip })).toMatchObject({
      allowed: false,
      scope: 'client_ip',
    });
  });

  it('gives the address its charge back for a right password and for an attempt that never reached a verdict', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock, { ...clientIpPolicy, freeAttempts: 2 });
    const office = '198.51.100.6';
    for (let i = 0; i < 5; i += 1) {
      expect(await succeed(throttle, { account: `colleague-${i}`, clientIp: office })).toBe(true);
      expect((await probe(throttle, { account: `colleague-${i}`, clientIp: office })).allowed).toBe(true);
    }
    expect((await store.read(`login#ip#${office}`))?.failures).toBe(0);
  });

  it('lets only one password check per account run at a time, so parallel guesses cannot skip the back-off', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => throttle.check({ account: 'parallel', clientIp: `192.0.2.${i}` })),
    );
    const allowed = results.flatMap((result) => (result.allowed ? [result.attempt] : []));
    expect(allowed).toHaveLength(1);
    expect(results.filter((result) => !result.allowed && result.scope === 'account_in_flight')).toHaveLength(
      19,
    );
    await allowed[0]?.finish();
    expect((await probe(throttle, { account: 'parallel', clientIp: '192.0.2.99' })).allowed).toBe(true);
  });

  it('frees a slot a crashed attempt never released once its lease has passed', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    expect((await throttle.check({ account: 'crashed', clientIp: '192.0.2.200' })).allowed).toBe(true);
    expect((await throttle.check({ account: 'crashed', clientIp: '192.0.2.201' })).allowed).toBe(false);
    clock.advance(5_000);
    expect((await throttle.check({ account: 'crashed', clientIp: '192.0.2.202' })).allowed).toBe(true);
  });

  it('never lets an attempt whose lease lapsed release the slot a newer attempt holds', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const slow = await throttle.check({ account: 'leased', clientIp: '192.0.2.210' });
    clock.advance(5_000);
    const newer = await throttle.check({ account: 'leased', clientIp: '192.0.2.211' });
    expect(newer.allowed).toBe(true);
    if (slow.allowed) await slow.attempt.finish();
    expect(await throttle.check({ account: 'leased', clientIp: '192.0.2.212' })).toMatchObject({
      allowed: false,
      scope: 'account_in_flight',
    });
  });

  it('never stops the owner on an address without failures, however many fresh addresses fail against the account', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    // One guess from each fresh address, paced to the account-wide block as it grows.
    for (let i = 0; i < 11; i += 1) {
      expect(await fail(throttle, { account: 'owned', clientIp: `203.0.113.${i + 1}` })).toBe(true);
    }
    expect(await succeed(throttle, { account: 'owned', clientIp: '198.51.100.200' })).toBe(true);
  });

  it('keeps the account-wide back-off for every address that has failed, so guessing stays slow', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    for (let i = 0; i < 4; i += 1) {
      expect(await fail(throttle, { account: 'guessed', clientIp: `203.0.113.${50 + i}` })).toBe(true);
    }
    // The fourth failure started the account-wide delay: the first guessing address must wait for it,
    // and so must an address that failed only against other accounts.
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

  it('never keeps an owner out for more than 30 s with the shipped policies, however long one address keeps failing', async () => {
    const clock = mutableClock(t0);
    const throttle = createLoginThrottle({
      store,
      clock,
      accountPolicy: defaultAccountPolicy,
      clientIpPolicy: defaultClientIpPolicy,
      accountAtClientIpPolicy: defaultAccountAtClientIpPolicy,
      newAttemptId: randomUUID,
    });
    const attacker = { account: 'owned-long', clientIp: '192.0.2.66' };
    const owner = { account: 'owned-long', clientIp: '198.51.100.201' };
    // The attacker paces failures to the back-off for an hour of simulated time.
    for (let step = 0; step < 40; step += 1) {
      const attempt = await throttle.check(attacker);
      if (attempt.allowed) {
        await attempt.attempt.recordFailure();
        await attempt.attempt.finish();
      } else clock.advance(attempt.retryAfterSeconds * 1000);
    }
    expect((await probe(throttle, owner)).allowed).toBe(true);
    // The failing address itself is held far longer.
    const attackerCheck = await probe(throttle, attacker);
    expect(attackerCheck.allowed).toBe(false);
    expect(attackerCheck.allowed ? 0 : attackerCheck.retryAfterSeconds).toBeGreaterThan(30);
  });

  it('counts every one of many concurrent failures in a streak', async () => {
    const key = `login#account#concurrent-${randomUUID()}`;
    const counts = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.recordFailure({
          key,
          nowMs: t0,
          streakStartMs: t0 - 600_000,
          expiresAtSeconds: t0 / 1000 + 3600,
        }),
      ),
    );
    expect(new Set(counts).size).toBe(20);
    expect((await store.read(key))?.failures).toBe(20);
  });
});
