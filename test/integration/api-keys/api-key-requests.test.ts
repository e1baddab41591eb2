/**
 * API-key requests through the real chain on DynamoDB Local (ADR 0005, API-key requests): the key's
 * limiter state is kept on its record, and the one conditional write that spends its quota also proves
 * the instance's cached record current. Each "instance" here is a runtime of its own (its own record
 * cache and limiter) on its own DynamoDB client, so calls are counted per instance. What must hold:
 * one call per request once the record is cached, exact admission under parallel requests, and every
 * change to a key (revoke, rotation, new limit or roles, expiry) acting on the very next request, even
 * on an instance that cached the record before the change.
 */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbClient } from '../../../shared/adapters/dynamodb/create-dynamodb-client.js';
import {
  dynamoDbApiKeyRotationStore,
  dynamoDbApiKeyStore,
} from '../../../shared/adapters/dynamodb/dynamodb-api-key-store.js';
import { dynamoDbRateLimitStore } from '../../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';
import { apiKeyRateLimitPolicy } from '../../../shared/domain/api-keys/api-key.js';
import {
  type ApiKeys,
  createApiKeyRotation,
  createApiKeys,
} from '../../../shared/domain/api-keys/create-api-keys.js';
import type { LimiterOutcome } from '../../../shared/domain/rate-limit/limiter-metrics.js';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';
import { createRateLimiter } from '../../../shared/domain/rate-limit/rate-limiter.js';
import { defaultLeasingOptions } from '../../../shared/domain/rate-limit/window-lease.js';
import { jsonResponse } from '../../../shared/http/json-response.js';
import { AUTHENTICATION_FAILED_MESSAGE } from '../../../shared/logging/log-messages.js';
import { countCommands, createTestTables } from '../../support/dynamodb-test-tables.js';
import { chainOf } from '../../support/test-chain.js';
import {
  apiGatewayEvent,
  lambdaContext,
  type ManualClock,
  manualClock,
  TEST_PEPPER,
  testRuntime,
} from '../../support/test-runtime.js';

let setup: DynamoDBClient;
let tables: { apiKeys: string; rateLimits: string };
const clients: DynamoDBClient[] = [];

beforeAll(async () => {
  const created = await createTestTables();
  setup = created.client;
  tables = created.tables;
});
afterAll(() => {
  for (const client of clients) client.destroy();
  setup?.destroy();
});

const newClient = (): DynamoDBClient => {
  const client = createDynamoDbClient({
    region: 'local',
    endpoint: inject('dynamoDbEndpoint'),
    connectionTimeoutMs: 10_000,
    requestTimeoutMs: 15_000,
  });
  clients.push(client);
  return client;
};

/** The admin side: issue, update, revoke and rotate keys on the table (another function in production). */
const admin = (clock: ManualClock): ApiKeys & { rotate: ReturnType<typeof createApiKeyRotation> } => {
  const store = dynamoDbApiKeyStore(setup, tables.apiKeys);
  const pepper = async () => TEST_PEPPER;
  return {
    ...createApiKeys({ store, pepper, clock }),
    rotate: createApiKeyRotation({
      store: dynamoDbApiKeyRotationStore(setup, tables.apiKeys),
      pepper,
      clock,
      rotationOverlapSeconds: 3_600,
    }),
  };
};

interface InstanceOptions {
  readonly policy?: RateLimitPolicy;
  readonly leasing?: boolean;
}

/** One Lambda instance: its own record cache and limiter, the route's policy, a key's own bucket. */
const instance = async (clock: ManualClock, options: InstanceOptions = {}) => {
  const client = newClient();
  const calls = countCommands(client);
  const runtime = testRuntime(
    {},
    {
      clock,
      apiKeyStore: {
        ...dynamoDbApiKeyStore(client, tables.apiKeys),
        ...dynamoDbApiKeyRotationStore(client, tables.apiKeys),
      },
    },
  );
  const outcomes: LimiterOutcome[] = [];
  const handler = await chainOf(
    runtime,
    {
      auth: 'required',
      routeId: 'me',
      rateLimit: {
        limiter: createRateLimiter({
          store: dynamoDbRateLimitStore(client, tables.rateLimits, undefined, tables.apiKeys),
          clock,
          ...(options.leasing === true ? { leasing: defaultLeasingOptions } : {}),
        }),
        metrics: { count: (outcome) => outcomes.push(outcome) },
        routeId: 'me',
        policy: options.policy ?? { kind: 'fixed_window', requests: 100, windowSeconds: 60 },
        policyFor: (principal) =>
          principal.kind === 'api_key' && typeof principal.rateLimit === 'object'
            ? apiKeyRateLimitPolicy(principal.rateLimit)
            : undefined,
        failureMode: 'fail-closed',
      },
    },
    async ({ principal }) => jsonResponse(200, { roles: principal?.roles ?? [] }),
  );
  const send = (apiKey: string): Promise<APIGatewayProxyResult> =>
    handler(apiGatewayEvent({ path: '/api/v1/user/me', headers: { 'x-api-key': apiKey } }), lambdaContext());
  /** DynamoDB calls `send` made for one request. */
  const sendCounted = async (apiKey: string) => {
    calls.reset();
    const answer = await send(apiKey);
    return { status: answer.statusCode, calls: calls.count(), answer };
  };
  return { send, sendCounted, runtime, outcomes };
};

const reasonsIn = (runtime: ReturnType<typeof testRuntime>): unknown[] =>
  runtime.logs
    .entries()
    .filter((entry) => entry.message === AUTHENTICATION_FAILED_MESSAGE)
    .map((entry) => entry.reason);

describe('one call per request', () => {
  it('reads the record once per instance, then decides every request in the one write that proves it', async () => {
    const clock = manualClock();
    const issued = await admin(clock).issue({ name: 'one call', roles: ['user'] });
    const server = await instance(clock);
    // Cold: the read, then the write; the first write of a window starts the key's slot.
    expect(await server.sendCounted(issued.apiKey)).toMatchObject({ status: 200 });
    const warm = [];
    for (let i = 0; i < 5; i += 1) warm.push(await server.sendCounted(issued.apiKey));
    expect(warm.map((answer) => [answer.status, answer.calls])).toEqual(Array(5).fill([200, 1]));
  });

  it("uses one call per request for a key's own token bucket too", async () => {
    const clock = manualClock();
    const issued = await admin(clock).issue({
      name: 'own bucket',
      roles: ['user'],
      rateLimit: { burst: 10, perSeconds: 60 },
    });
    const server = await instance(clock);
    await server.send(issued.apiKey);
    for (let i = 0; i < 4; i += 1) {
      const answer = await server.sendCounted(issued.apiKey);
      expect([answer.status, answer.calls]).toEqual([200, 1]);
      expect(answer.answer.headers?.['RateLimit-Policy']).toBe('"tb-10-per-60s";q=10;w=60');
    }
  });

  it('keeps the key itself unchanged: the state is a slot on the record, the version does not move', async () => {
    const clock = manualClock();
    const keys = admin(clock);
    const issued = await keys.issue({ name: 'slot', roles: ['user'] });
    const server = await instance(clock);
    for (let i = 0; i < 3; i += 1) await server.send(issued.apiKey);
    const [listed] = (await keys.list()).filter((key) => key.key_id === issued.key.key_id);
    expect(listed).toEqual(issued.key);
  });
});

describe('exact under concurrency', () => {
  it('admits exactly the window quota among 60 parallel requests over three instances', async () => {
    const clock = manualClock();
    const issued = await admin(clock).issue({ name: 'parallel window', roles: ['user'] });
    const policy: RateLimitPolicy = { kind: 'fixed_window', requests: 25, windowSeconds: 60 };
    const servers = await Promise.all([1, 2, 3].map(() => instance(clock, { policy })));
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (servers[i % 3] ?? servers[0])?.send(issued.apiKey)),
    );
    const statuses = answers.map((answer) => answer?.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(25);
    expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
  });

  it("admits exactly a key's own burst among 40 parallel requests over two instances", async () => {
    const clock = manualClock();
    const issued = await admin(clock).issue({
      name: 'parallel bucket',
      roles: ['user'],
      rateLimit: { burst: 12, perSeconds: 600 },
    });
    const servers = await Promise.all([1, 2].map(() => instance(clock)));
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (servers[i % 2] ?? servers[0])?.send(issued.apiKey)),
    );
    const statuses = answers.map((answer) => answer?.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(12);
    expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
  });

  it('refuses every request after a revoke that lands among parallel requests, and admits none after it', async () => {
    const clock = manualClock();
    const keys = admin(clock);
    const issued = await keys.issue({ name: 'revoked in flight', roles: ['user'] });
    const server = await instance(clock);
    await server.send(issued.apiKey);
    const before = Array.from({ length: 10 }, () => server.send(issued.apiKey));
    await keys.revoke(issued.key.key_id);
    const after = await Promise.all(Array.from({ length: 10 }, () => server.send(issued.apiKey)));
    for (const answer of await Promise.all(before)) expect([200, 401]).toContain(answer.statusCode);
    expect(after.map((answer) => answer.statusCode)).toEqual(Array(10).fill(401));
  });
});

describe('every change acts on the next request, even on an instance that cached the record', () => {
  it('refuses the request after a revoke (reason revoked), with no quota spent', async () => {
    const clock = manualClock();
    const keys = admin(clock);
    const issued = await keys.issue({ name: 'revoke', roles: ['user'] });
    const server = await instance(clock);
    expect((await server.send(issued.apiKey)).statusCode).toBe(200);
    await keys.revoke(issued.key.key_id);
    const refused = await server.sendCounted(issued.apiKey);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.answer.body)).toMatchObject({
      type: 'urn:bulwark:problem:invalid-credentials',
    });
    // The failed proof, the read that says why, and the client address's charge for a failed credential.
    expect(refused.calls).toBe(3);
    expect(reasonsIn(server.runtime)).toEqual(['revoked']);
    // Only the admitted request was counted: the refused one spent none of the key's quota.
    expect(server.outcomes).toEqual(['allow']);
    const { Item } = await setup.send(
      new GetItemCommand({
        TableName: tables.apiKeys,
        Key: { keyId: { S: issued.key.key_id } },
        ConsistentRead: true,
      }),
    );
    expect(Item?.['rl#me#fw-100-per-60s']?.M?.c).toEqual({ N: '1' });
    // Refused again on the next request, from the record it read (one read, as without a cache).
    expect((await server.send(issued.apiKey)).statusCode).toBe(401);
  });

  it('refuses a revoked key whose quota this instance has seen spent: 401, never 429', async () => {
    const clock = manualClock();
    const keys = admin(clock);
    const issued = await keys.issue({ name: 'full then revoked', roles: ['user'] });
    const server = await instance(clock, {
      policy: { kind: 'fixed_window', requests: 1, windowSeconds: 60 },
    });
    expect((await server.send(issued.apiKey)).statusCode).toBe(200);
    const full = await server.sendCounted(issued.apiKey);
    expect(full.status).toBe(429);
    // A reject this instance proves from cached state still reads the record once: revocation wins.
    const rejectedLocally = await server.sendCounted(issued.apiKey);
    expect([rejectedLocally.status, rejectedLocally.calls]).toEqual([429, 1]);
    await keys.revoke(issued.key.key_id);
    expect((await server.send(issued.apiKey)).statusCode).toBe(401);
  });

  it('refuses the old secret after a rotation without overlap and accepts the new one at once', async () => {
    const clock = manualClock();
    const keys = admin(clock);
    const issued = await keys.issue({ name: 'rotate', roles: ['user'] });
    const server = await instance(clock);
    expect((await server.send(issued.apiKey)).statusCode).toBe(200);
    const rotated = await keys.rotate(issued.key.key_id, { overlapSeconds: 0 });
    expect((await server.send(issued.apiKey)).statusCode).toBe(401);
    expect((await server.send(rotated.apiKey)).statusCode).toBe(200);
    expect((await server.send(issued.apiKey)).statusCode).toBe(401);
    expect(reasonsIn(server.runtime)).toEqual(['mismatch', 'mismatch']);
  });

  it('keeps the old secret through the overlap, and refuses it once the overlap has passed', async () => {
    const clock = manualClock();
    const keys = admin(clock);
    const issued = await keys.issue({ name: 'rotate with overlap', roles: ['user'] });
    const server = await instance(clock);
    await server.send(issued.apiKey);
    const rotated = await keys.rotate(issued.key.key_id, { overlapSeconds: 60 });
    expect((await server.send(issued.apiKey)).statusCode).toBe(200);
    expect((await server.send(rotated.apiKey)).statusCode).toBe(200);
    clock.advanceMs(60_000);
    expect((await server.send(issued.apiKey)).statusCode).toBe(401);
    expect((await server.send(rotated.apiKey)).statusCode).toBe(200);
  });

  it("applies a new limit and new roles on the next request, under the key's new policy", async () => {
    const clock = manualClock();
    const keys = admin(clock);
    const issued = await keys.issue({ name: 're-limit', roles: ['user'] });
    const server = await instance(clock);
    const first = await server.send(issued.apiKey);
    expect(first.headers?.['RateLimit-Policy']).toBe('"fw-100-per-60s";q=100;w=60');
    await keys.update(issued.key.key_id, { roles: ['admin'], rateLimit: { burst: 2, perSeconds: 60 } });
    const relimited = await server.sendCounted(issued.apiKey);
    expect(relimited.status).toBe(200);
    expect(relimited.answer.headers?.['RateLimit-Policy']).toBe('"tb-2-per-60s";q=2;w=60');
    expect(JSON.parse(relimited.answer.body)).toEqual({ roles: ['admin'] });
    // The failed proof, the read, the write under the new policy.
    expect(relimited.calls).toBe(3);
    expect((await server.send(issued.apiKey)).statusCode).toBe(200);
    expect((await server.send(issued.apiKey)).statusCode).toBe(429);
  });

  it('refuses a key once its expiry has passed, from the cached record as from a read', async () => {
    const clock = manualClock();
    const keys = admin(clock);
    const issued = await keys.issue({
      name: 'expiring',
      roles: ['user'],
      expiresAt: new Date(clock.nowMs() + 10_000).toISOString(),
    });
    const server = await instance(clock);
    expect((await server.send(issued.apiKey)).statusCode).toBe(200);
    clock.advanceMs(10_000);
    expect((await server.send(issued.apiKey)).statusCode).toBe(401);
    expect(reasonsIn(server.runtime)).toEqual(['expired']);
  });

  it('refuses a leased key on the request after its revoke, leased requests left or not', async () => {
    const clock = manualClock();
    const keys = admin(clock);
    const issued = await keys.issue({ name: 'hot', roles: ['user'] });
    const policy: RateLimitPolicy = { kind: 'fixed_window', requests: 5_000, windowSeconds: 60 };
    const server = await instance(clock, { policy, leasing: true });
    // Busy enough on this instance to lease (ADR 0005, hot keys).
    for (let round = 0; round < 4; round += 1) {
      await Promise.all(Array.from({ length: 20 }, () => server.send(issued.apiKey)));
      clock.advanceMs(10);
    }
    const leased = await server.sendCounted(issued.apiKey);
    // Spent from the lease, proven by one consistent read of the record.
    expect([leased.status, leased.calls]).toEqual([200, 1]);
    await keys.revoke(issued.key.key_id);
    expect((await server.send(issued.apiKey)).statusCode).toBe(401);
  });
});
