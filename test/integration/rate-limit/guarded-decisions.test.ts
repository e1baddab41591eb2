import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbRateLimitStore } from '../../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';
import type { RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { createRateLimiter } from '../../../shared/domain/rate-limit/rate-limiter.js';
import { countCommands, createTestTables, mutableClock } from '../../support/dynamodb-test-tables.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 10);
let client: DynamoDBClient;
let store: RateLimitStore;
let guardTable: string;
let calls: ReturnType<typeof countCommands>;

beforeAll(async () => {
  const created = await createTestTables();
  client = created.client;
  guardTable = created.tables.sessions;
  store = dynamoDbRateLimitStore(client, created.tables.rateLimits, guardTable);
  calls = countCommands(client);
});
afterAll(() => client.destroy());

const revoke = (key: string) =>
  client.send(
    new PutItemCommand({ TableName: guardTable, Item: { pk: { S: key }, expiresAt: { N: '4102444800' } } }),
  );

describe.each([
  ['token bucket', { kind: 'token_bucket', burst: 10, perSeconds: 3600 }],
  ['fixed window', { kind: 'fixed_window', requests: 10, windowSeconds: 3600 }],
] as const)('guarded %s decisions on DynamoDB Local', (label, policy: RateLimitPolicy) => {
  it('admits exactly the limit under concurrent guarded decisions from several instances', async () => {
    const instances = Array.from({ length: 5 }, () => createRateLimiter({ store, clock: mutableClock(t0) }));
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        instances[i % 5]?.decide(`guarded-burst-${label}`, policy, { mustNotExist: ['revoked#s-live'] }),
      ),
    );
    expect(decisions.filter((d) => d?.allowed).length).toBe(10);
    expect(decisions.some((d) => d?.guardFailed)).toBe(false);
  });

  it('costs one DynamoDB call for an admitted guarded decision', async () => {
    const limiter = createRateLimiter({ store, clock: mutableClock(t0) });
    calls.reset();
    const decision = await limiter.decide(`one-call-${label}`, policy, { mustNotExist: ['revoked#s-one'] });
    expect(decision).toMatchObject({ allowed: true, guardFailed: false, backendCalls: 1 });
    expect(calls.count()).toBe(1);
  });

  it('refuses a revoked marker in the same call and spends nothing', async () => {
    const limiter = createRateLimiter({ store, clock: mutableClock(t0) });
    await revoke(`revoked#s-dead-${label}`);
    calls.reset();
    const refused = await limiter.decide(`revoked-${label}`, policy, {
      mustNotExist: [`revoked#s-dead-${label}`],
    });
    expect(refused).toMatchObject({ allowed: false, guardFailed: true });
    expect(calls.count()).toBe(1);
    // The whole budget is still there for the same key without the marker.
    const fresh = createRateLimiter({ store, clock: mutableClock(t0) });
    const admitted = await Promise.all(
      Array.from({ length: 10 }, () => fresh.decide(`revoked-${label}`, policy)),
    );
    expect(admitted.every((d) => d.allowed)).toBe(true);
  });

  it('refuses a session revoked after the limit was reached: revocation wins over a limit proven in process', async () => {
    const limiter = createRateLimiter({ store, clock: mutableClock(t0) });
    const guard = { mustNotExist: [`revoked#s-late-${label}`] };
    const key = `revoked-over-limit-${label}`;
    for (let i = 0; i < 10; i += 1) expect((await limiter.decide(key, policy, guard)).allowed).toBe(true);
    expect(await limiter.decide(key, policy, guard)).toMatchObject({ allowed: false, guardFailed: false });
    await revoke(`revoked#s-late-${label}`);
    expect(await limiter.decide(key, policy, guard)).toMatchObject({ allowed: false, guardFailed: true });
  });

  it('refuses a session it has seen revoked without another DynamoDB call: revocation is permanent', async () => {
    const limiter = createRateLimiter({ store, clock: mutableClock(t0) });
    await revoke(`revoked#s-known-${label}`);
    const guard = { mustNotExist: [`revoked#s-known-${label}`] };
    expect(await limiter.decide(`known-revoked-${label}`, policy, guard)).toMatchObject({
      guardFailed: true,
    });
    calls.reset();
    expect(await limiter.decide(`known-revoked-${label}`, policy, guard)).toMatchObject({
      allowed: false,
      guardFailed: true,
      backendCalls: 0,
    });
    expect(calls.count()).toBe(0);
  });
});
