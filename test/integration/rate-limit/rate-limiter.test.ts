import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbRateLimitStore } from '../../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';
import type { RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { createRateLimiter } from '../../../shared/domain/rate-limit/rate-limiter.js';
import { countCommands, createTestTables, mutableClock } from '../../support/dynamodb-test-tables.js';

const noRefill: RateLimitPolicy = { kind: 'token_bucket', burst: 50, perSeconds: 7 * 24 * 60 * 60 };
const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);

let client: DynamoDBClient;
let store: RateLimitStore;
let calls: ReturnType<typeof countCommands>;

beforeAll(async () => {
  const created = await createTestTables();
  client = created.client;
  calls = countCommands(client);
  store = dynamoDbRateLimitStore(client, created.tables.rateLimits);
});

afterAll(() => client.destroy());

const admittedOf = (decisions: readonly { allowed: boolean }[]) => decisions.filter((d) => d.allowed).length;

describe('token bucket on DynamoDB Local', () => {
  it.each([1, 2, 3, 4, 5])(
    'admits exactly burst of 200 concurrent decisions on one key (run %i)',
    async (run) => {
      const limiter = createRateLimiter({ store, clock: mutableClock(t0) });
      const decisions = await Promise.all(
        Array.from({ length: 200 }, () => limiter.decide(`burst-run-${run}`, noRefill)),
      );
      expect(admittedOf(decisions)).toBe(50);
    },
  );

  it('admits exactly burst when 200 decisions race from 20 instances with their own caches', async () => {
    const instances = Array.from({ length: 20 }, () => createRateLimiter({ store, clock: mutableClock(t0) }));
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, index) => instances[index % 20]?.decide('many-instances', noRefill)),
    );
    expect(admittedOf(decisions.filter((d) => d !== undefined))).toBe(50);
  });

  it('keeps concurrent keys independent', async () => {
    const limiter = createRateLimiter({ store, clock: mutableClock(t0) });
    const policy: RateLimitPolicy = { kind: 'token_bucket', burst: 20, perSeconds: 3600 };
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const decisions = await Promise.all(
      keys.flatMap((key) =>
        Array.from({ length: 60 }, () =>
          limiter.decide(`independent-${key}`, policy).then((d) => ({ key, d })),
        ),
      ),
    );
    for (const key of keys)
      expect(admittedOf(decisions.filter((x) => x.key === key).map((x) => x.d))).toBe(20);
  });

  it('refills one token per perSeconds / burst and gives Retry-After until it', async () => {
    const clock = mutableClock(t0);
    const limiter = createRateLimiter({ store, clock });
    const policy: RateLimitPolicy = { kind: 'token_bucket', burst: 5, perSeconds: 10 };
    for (let i = 0; i < 5; i += 1) expect((await limiter.decide('refill', policy)).allowed).toBe(true);
    const rejected = await limiter.decide('refill', policy);
    expect(rejected).toMatchObject({ allowed: false, retryAfterSeconds: 2, remaining: 0 });
    clock.advance(1_999);
    expect((await limiter.decide('refill', policy)).allowed).toBe(false);
    clock.advance(1);
    const refilled = await limiter.decide('refill', policy);
    expect(refilled).toMatchObject({ allowed: true, remaining: 0 });
    clock.advance(10_000);
    const full = await limiter.decide('refill', policy);
    expect(full).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('rejects in process, with no DynamoDB call, once a cached state proves the key is over its limit', async () => {
    const limiter = createRateLimiter({ store, clock: mutableClock(t0) });
    const policy: RateLimitPolicy = { kind: 'token_bucket', burst: 3, perSeconds: 3600 };
    for (let i = 0; i < 4; i += 1) await limiter.decide('cached', policy);
    calls.reset();
    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.decide('cached', policy)));
    expect(admittedOf(decisions)).toBe(0);
    expect(decisions.every((d) => d.source === 'cache' && d.backendCalls === 0)).toBe(true);
    expect(calls.count()).toBe(0);
  });

  it('makes one DynamoDB call per decision for a burst on a cold key', async () => {
    const limiter = createRateLimiter({ store, clock: mutableClock(t0) });
    calls.reset();
    const decisions = await Promise.all(
      Array.from({ length: 200 }, () => limiter.decide('calls-per-decision', noRefill)),
    );
    expect(admittedOf(decisions)).toBe(50);
    expect(calls.count()).toBe(200);
    expect(decisions.reduce((sum, d) => sum + d.backendCalls, 0)).toBe(calls.count());
  });

  it('never lets a cached state admit: another instance spending the bucket is seen at the next write', async () => {
    const clock = mutableClock(t0);
    const a = createRateLimiter({ store, clock });
    const b = createRateLimiter({ store, clock });
    const policy: RateLimitPolicy = { kind: 'token_bucket', burst: 2, perSeconds: 3600 };
    expect((await a.decide('shared', policy)).remaining).toBe(1);
    expect((await b.decide('shared', policy)).allowed).toBe(true);
    expect((await a.decide('shared', policy)).allowed).toBe(false);
  });
});

describe('fixed window on DynamoDB Local', () => {
  const policy: RateLimitPolicy = { kind: 'fixed_window', requests: 50, windowSeconds: 60 };

  it.each([1, 2, 3])(
    'admits exactly requests of 200 concurrent decisions in one window (run %i)',
    async (run) => {
      const limiter = createRateLimiter({ store, clock: mutableClock(t0) });
      const decisions = await Promise.all(
        Array.from({ length: 200 }, () => limiter.decide(`fw-run-${run}`, policy)),
      );
      expect(admittedOf(decisions)).toBe(50);
    },
  );

  it('rolls over at the window boundary and says how long until it in Retry-After', async () => {
    const clock = mutableClock(t0 + 45_000);
    const limiter = createRateLimiter({ store, clock });
    const small: RateLimitPolicy = { kind: 'fixed_window', requests: 3, windowSeconds: 60 };
    for (let i = 0; i < 3; i += 1) expect((await limiter.decide('rollover', small)).allowed).toBe(true);
    expect(await limiter.decide('rollover', small)).toMatchObject({ allowed: false, retryAfterSeconds: 15 });
    clock.advance(14_999);
    expect((await limiter.decide('rollover', small)).allowed).toBe(false);
    clock.advance(1);
    expect(await limiter.decide('rollover', small)).toMatchObject({
      allowed: true,
      remaining: 2,
      resetSeconds: 60,
    });
  });
});
