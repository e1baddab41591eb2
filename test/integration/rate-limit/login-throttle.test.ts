import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbLoginThrottleStore } from '../../../shared/adapters/dynamodb/dynamodb-login-throttle-store.js';
import {
  createLoginThrottle,
  type LoginThrottle,
} from '../../../shared/domain/login-throttle/login-throttle.js';
import {
  backoffDelayMs,
  defaultAccountAtClientIpPolicy,
  defaultAccountPolicy,
  defaultClientIpPolicy,
  type LoginThrottlePolicy,
} from '../../../shared/domain/login-throttle/login-throttle-policy.js';
import type { LoginThrottleStore } from '../../../shared/domain/login-throttle/login-throttle-store.js';
import { createTestTables, type MutableClock, mutableClock } from '../../support/dynamodb-test-tables.js';

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
const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);

let client: DynamoDBClient;
let store: LoginThrottleStore;

beforeAll(async () => {
  const created = await createTestTables();
  client = created.client;
  store = dynamoDbLoginThrottleStore(client, created.tables.rateLimits);
});
afterAll(() => client.destroy());

const throttleAt = (clock: MutableClock): LoginThrottle =>
  createLoginThrottle({ store, clock, accountPolicy, clientIpPolicy });

/** A check that, when allowed, hands the attempt slot back at once: a login that was never attempted. */
const probe = async (throttle: LoginThrottle, subject: { account: string; clientIp: string }) => {
  const result = await throttle.check(subject);
  if (result.allowed) await throttle.finish(subject);
  return result;
};

describe('login throttling on DynamoDB Local', () => {
  it('allows the free attempts, then backs off with a doubling delay capped at the maximum', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const subject = { account: 'growing', clientIp: '198.51.100.1' };
    const delays: number[] = [];
    for (let failure = 1; failure <= 8; failure += 1) {
      const check = await throttle.check(subject);
      expect(check.allowed).toBe(true);
      await throttle.recordFailure(subject);
      await throttle.finish(subject);
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
    for (let i = 0; i < 5; i += 1) await throttle.recordFailure(subject);
    expect((await probe(throttle, subject)).allowed).toBe(false);
    clock.advance(601_000);
    expect((await probe(throttle, subject)).allowed).toBe(true);
    await throttle.recordFailure(subject);
    expect((await probe(throttle, subject)).allowed).toBe(true);
  });

  it('clears the account streak on success but keeps the client IP streak', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const ip = '198.51.100.3';
    for (let i = 0; i < 4; i += 1) await throttle.recordFailure({ account: 'victim', clientIp: ip });
    expect(await probe(throttle, { account: 'victim', clientIp: '203.0.113.9' })).toMatchObject({
      allowed: false,
      scope: 'account',
    });
    await throttle.recordSuccess({ account: 'victim', clientIp: ip });
    expect((await probe(throttle, { account: 'victim', clientIp: '203.0.113.9' })).allowed).toBe(true);
    for (let i = 0; i < 3; i += 1) await throttle.recordFailure({ account: `sprayed-${i}`, clientIp: ip });
    expect(await probe(throttle, { account: 'someone-else', clientIp: ip })).toMatchObject({
      allowed: false,
      scope: 'client_ip',
    });
  });

  it('lets only one password check per account run at a time, so parallel guesses cannot skip the back-off', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => throttle.check({ account: 'parallel', clientIp: `192.0.2.${i}` })),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(1);
    expect(results.filter((result) => !result.allowed && result.scope === 'account_in_flight')).toHaveLength(
      19,
    );
    await throttle.finish({ account: 'parallel', clientIp: '192.0.2.0' });
    expect((await throttle.check({ account: 'parallel', clientIp: '192.0.2.99' })).allowed).toBe(true);
  });

  it('frees a slot a crashed attempt never released once its lease has passed', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    expect((await throttle.check({ account: 'crashed', clientIp: '192.0.2.200' })).allowed).toBe(true);
    expect((await throttle.check({ account: 'crashed', clientIp: '192.0.2.200' })).allowed).toBe(false);
    clock.advance(5_000);
    expect((await throttle.check({ account: 'crashed', clientIp: '192.0.2.200' })).allowed).toBe(true);
  });

  it('never keeps an owner out for more than 30 s, however long another address keeps failing', async () => {
    const clock = mutableClock(t0);
    const throttle = createLoginThrottle({
      store,
      clock,
      accountPolicy: defaultAccountPolicy,
      clientIpPolicy: defaultClientIpPolicy,
      accountAtClientIpPolicy: defaultAccountAtClientIpPolicy,
    });
    const attacker = { account: 'owned', clientIp: '192.0.2.66' };
    const owner = { account: 'owned', clientIp: '198.51.100.200' };
    // The attacker paces failures to the back-off for an hour of simulated time.
    for (let step = 0; step < 40; step += 1) {
      const attempt = await throttle.check(attacker);
      if (attempt.allowed) {
        await throttle.recordFailure(attacker);
        await throttle.finish(attacker);
      } else clock.advance(attempt.retryAfterSeconds * 1000);
    }
    const ownerCheck = await probe(throttle, owner);
    if (!ownerCheck.allowed) {
      expect(ownerCheck.retryAfterSeconds).toBeLessThanOrEqual(30);
      clock.advance(ownerCheck.retryAfterSeconds * 1000);
    }
    expect((await probe(throttle, owner)).allowed).toBe(true);
    // The failing address itself is held far longer.
    const attackerCheck = await probe(throttle, attacker);
    expect(attackerCheck.allowed).toBe(false);
    expect(attackerCheck.allowed ? 0 : attackerCheck.retryAfterSeconds).toBeGreaterThan(30);
  });

  it('counts every one of many concurrent failures', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const subject = { account: 'concurrent', clientIp: '198.51.100.4' };
    await Promise.all(Array.from({ length: 20 }, () => throttle.recordFailure(subject)));
    const state = await store.read('login#account#concurrent');
    expect(state?.failures).toBe(20);
    expect(state?.blockedUntilMs).toBe(t0 + backoffDelayMs(accountPolicy, 20));
  });
});
