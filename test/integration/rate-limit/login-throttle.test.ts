import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbLoginThrottleStore } from '../../../shared/adapters/dynamodb/dynamodb-login-throttle-store.js';
import {
  createLoginThrottle,
  type LoginThrottle,
} from '../../../shared/domain/login-throttle/login-throttle.js';
import {
  backoffDelayMs,
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
      const after = await throttle.check(subject);
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
    expect((await throttle.check(subject)).allowed).toBe(false);
    clock.advance(601_000);
    expect((await throttle.check(subject)).allowed).toBe(true);
    await throttle.recordFailure(subject);
    expect((await throttle.check(subject)).allowed).toBe(true);
  });

  it('clears the account streak on success but keeps the client IP streak', async () => {
    const clock = mutableClock(t0);
    const throttle = throttleAt(clock);
    const ip = '198.51.100.3';
    for (let i = 0; i < 4; i += 1) await throttle.recordFailure({ account: 'victim', clientIp: ip });
    expect(await throttle.check({ account: 'victim', clientIp: '203.0.113.9' })).toMatchObject({
      allowed: false,
      scope: 'account',
    });
    await throttle.recordSuccess({ account: 'victim', clientIp: ip });
    expect((await throttle.check({ account: 'victim', clientIp: '203.0.113.9' })).allowed).toBe(true);
    for (let i = 0; i < 3; i += 1) await throttle.recordFailure({ account: `sprayed-${i}`, clientIp: ip });
    expect(await throttle.check({ account: 'someone-else', clientIp: ip })).toMatchObject({
      allowed: false,
      scope: 'client_ip',
    });
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
