import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../shared/adapters/dynamodb/create-dynamodb-client.js';
import {
  dynamoDbApiKeyRotationStore,
  dynamoDbApiKeyStore,
} from '../../../shared/adapters/dynamodb/dynamodb-api-key-store.js';
import { dynamoDbRateLimitStore } from '../../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';
import type { SecureHandler } from '../../../shared/chain/create-secure-handler.js';
import { routeFallback } from '../../../shared/chain/route-fallback.js';
import { rateLimitOf } from '../../../shared/chain/route-security.js';
import { parseRuntimeConfig } from '../../../shared/config/runtime-config.js';
import {
  generateApiKeyId,
  generateApiKeySecret,
} from '../../../shared/domain/api-keys/api-key-credential.js';
import type { LimiterMetrics, LimiterOutcome } from '../../../shared/domain/rate-limit/limiter-metrics.js';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';
import { createRateLimiter } from '../../../shared/domain/rate-limit/rate-limiter.js';
import { jsonResponse } from '../../../shared/http/json-response.js';
import { createTables } from '../../../shared/local/create-tables.js';
import { freePort, startDynamoDbLocal } from '../../../shared/local/dynamodb-local.js';
import type { LimiterFailureMode } from '../../../shared/routes/route-definition.js';
import { routeIn } from '../../../shared/routes/route-in.js';
import { routes } from '../../../shared/routes/route-table.js';
import { createTestTables, mutableClock } from '../../support/dynamodb-test-tables.js';
import { chainOf } from '../../support/test-chain.js';
import {
  apiGatewayEvent,
  apiKeyRecord,
  lambdaContext,
  TEST_API_KEY,
  TEST_PEPPER,
  testRuntime,
} from '../../support/test-runtime.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 30);

const recordingMetrics = () => {
  const counted: { outcome: LimiterOutcome; route: string; policy: string }[] = [];
  const metrics: LimiterMetrics = {
    count: (outcome, dimensions) => counted.push({ outcome, ...dimensions }),
  };
  return { metrics, outcomes: () => counted.map((entry) => entry.outcome), counted };
};

/** The limiter's production settings: two attempts, short timeouts. */
const limiterClient = (endpoint: string): DynamoDBClient =>
  createDynamoDbClient({
    region: 'local',
    endpoint,
    maxAttempts: 2,
    requestTimeoutMs: 300,
    connectionTimeoutMs: 300,
  });

let client: DynamoDBClient;
let tableName: string;
let apiKeysTable: string;

beforeAll(async () => {
  const created = await createTestTables();
  client = created.client;
  tableName = created.tables.rateLimits;
  apiKeysTable = created.tables.apiKeys;
  // The test key on DynamoDB Local: an API key's limiter state is kept on its record (ADR 0005).
  const [keyId = '', secret = ''] = TEST_API_KEY.split(':');
  await dynamoDbApiKeyStore(client, apiKeysTable).create(
    apiKeyRecord({ keyId, secret, pepper: TEST_PEPPER, name: 'test admin', roles: ['admin'] }),
  );
});

/** A runtime whose API keys are the records on DynamoDB Local. */
const keysRuntime = () =>
  testRuntime(
    {},
    {
      apiKeyStore: {
        ...dynamoDbApiKeyStore(client, apiKeysTable),
        ...dynamoDbApiKeyRotationStore(client, apiKeysTable),
      },
    },
  );
const limiterStore = (dynamoDb: DynamoDBClient = client) =>
  dynamoDbRateLimitStore(dynamoDb, tableName, undefined, apiKeysTable);
afterAll(() => client.destroy());

const healthHandler = (options: {
  policy: RateLimitPolicy;
  failureMode?: LimiterFailureMode;
  dynamoDb?: DynamoDBClient;
  auth?: 'public' | 'required';
}) => {
  const recorder = recordingMetrics();
  const runtime = keysRuntime();
  const limiter = createRateLimiter({
    store: limiterStore(options.dynamoDb),
    clock: mutableClock(t0),
  });
  const handler = chainOf(
    runtime,
    {
      auth: options.auth ?? 'public',
      rateLimit: {
        limiter,
        metrics: recorder.metrics,
        routeId: 'health',
        policy: options.policy,
        failureMode: options.failureMode ?? 'fail-closed',
      },
    },
    async () => jsonResponse(200, { status: 'ok' }),
  );
  return { handler, recorder, runtime };
};

const call = async (
  handler: Promise<SecureHandler>,
  headers: Record<string, string> = {},
  sourceIp?: string,
) =>
  (await handler)(
    apiGatewayEvent({ path: '/health', headers, ...(sourceIp === undefined ? {} : { sourceIp }) }),
    lambdaContext(),
  );

describe('rate limiting in the security chain', () => {
  it('answers the Nth+1 request 429 problem+json with Retry-After and RateLimit headers', async () => {
    const { handler, recorder } = healthHandler({
      policy: { kind: 'fixed_window', requests: 2, windowSeconds: 60 },
    });
    const first = await call(handler, {}, '192.0.2.10');
    expect(first.statusCode).toBe(200);
    expect(first.headers).toMatchObject({
      'RateLimit-Policy': '"fw-2-per-60s";q=2;w=60',
      RateLimit: '"fw-2-per-60s";r=1;t=30',
    });
    expect((await call(handler, {}, '192.0.2.10')).statusCode).toBe(200);
    const rejected = await call(handler, {}, '192.0.2.10');
    expect(rejected.statusCode).toBe(429);
    expect(rejected.headers).toMatchObject({
      'Content-Type': 'application/problem+json',
      'Retry-After': '30',
      'RateLimit-Policy': '"fw-2-per-60s";q=2;w=60',
      RateLimit: '"fw-2-per-60s";r=0;t=30',
      'Cache-Control': 'no-store',
    });
    expect(JSON.parse(rejected.body)).toMatchObject({
      type: 'urn:bulwark:problem:quota-exceeded',
      status: 429,
    });
    // The second answer told the limiter the window is full, so the third is refused in process.
    expect(recorder.outcomes()).toEqual(['allow', 'allow', 'reject', 'local_reject']);
    expect(
      recorder.counted.every((entry) => entry.route === 'health' && entry.policy === 'fw-2-per-60s'),
    ).toBe(true);
  });

  it('rejects at DynamoDB when another instance used the budget, then in process from the state it learned', async () => {
    const policy: RateLimitPolicy = { kind: 'fixed_window', requests: 1, windowSeconds: 60 };
    const other = healthHandler({ policy });
    expect((await call(other.handler, {}, '192.0.2.20')).statusCode).toBe(200);
    const { handler, recorder } = healthHandler({ policy });
    expect((await call(handler, {}, '192.0.2.20')).statusCode).toBe(429);
    expect((await call(handler, {}, '192.0.2.20')).statusCode).toBe(429);
    expect(recorder.outcomes()).toEqual(['reject', 'reject', 'local_reject']);
  });

  it('keys anonymous requests by client IP, so two addresses have separate budgets', async () => {
    const { handler } = healthHandler({ policy: { kind: 'fixed_window', requests: 1, windowSeconds: 60 } });
    expect((await call(handler, {}, '192.0.2.30')).statusCode).toBe(200);
    expect((await call(handler, {}, '192.0.2.31')).statusCode).toBe(200);
    expect((await call(handler, {}, '192.0.2.30')).statusCode).toBe(429);
  });

  it('keys authenticated requests by principal, whatever address they come from', async () => {
    const { handler } = healthHandler({
      policy: { kind: 'fixed_window', requests: 1, windowSeconds: 60 },
      auth: 'required',
    });
    expect((await call(handler, { 'x-api-key': TEST_API_KEY }, '192.0.2.40')).statusCode).toBe(200);
    expect((await call(handler, { 'x-api-key': TEST_API_KEY }, '192.0.2.41')).statusCode).toBe(429);
  });

  it('limits requests that fail authentication by client address: 429 past the limit instead of 401 forever', async () => {
    const { handler, recorder } = healthHandler({
      policy: { kind: 'fixed_window', requests: 3, windowSeconds: 60 },
      auth: 'required',
    });
    const randomKey = () => `${generateApiKeyId()}:${generateApiKeySecret()}`;
    const attempts: Record<string, string>[] = [
      { 'x-api-key': randomKey() },
      { authorization: 'Bearer not.a.token' },
      {},
      { 'x-api-key': randomKey() },
    ];
    const statuses: number[] = [];
    for (const headers of attempts) statuses.push((await call(handler, headers, '192.0.2.46')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const refused = await call(handler, { 'x-api-key': randomKey() }, '192.0.2.46');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers?.['Retry-After']).toBe('30');
    expect(JSON.parse(refused.body)).toMatchObject({ type: 'urn:bulwark:problem:quota-exceeded' });
    // The third admitted write returned a full window, so both rejects are proven in process.
    expect(recorder.outcomes()).toEqual(['reject', 'local_reject', 'reject', 'local_reject']);
    // Another address has its own budget, and a valid key from the flooded address spends only its own.
    expect((await call(handler, {}, '192.0.2.47')).statusCode).toBe(401);
    expect((await call(handler, { 'x-api-key': TEST_API_KEY }, '192.0.2.46')).statusCode).toBe(200);
  });

  it("applies a principal's own policy when the override supplies one", async () => {
    const limiter = createRateLimiter({
      store: limiterStore(),
      clock: mutableClock(t0),
    });
    const handler = chainOf(
      keysRuntime(),
      {
        auth: 'required',
        rateLimit: {
          limiter,
          metrics: recordingMetrics().metrics,
          routeId: 'health',
          policy: { kind: 'fixed_window', requests: 1, windowSeconds: 60 },
          policyFor: (principal) =>
            principal.kind === 'api_key' ? { kind: 'token_bucket', burst: 3, perSeconds: 60 } : undefined,
          failureMode: 'fail-closed',
        },
      },
      async () => jsonResponse(200, { status: 'ok' }),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await call(handler, { 'x-api-key': TEST_API_KEY }, '192.0.2.45')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const answer = await call(handler, { 'x-api-key': TEST_API_KEY }, '192.0.2.45');
    expect(answer.headers?.['RateLimit-Policy']).toBe('"tb-3-per-60s";q=3;w=60');
  });

  it('limits OPTIONS at a path no route serves, so it cannot be used to flood the fallback', async () => {
    const { handler } = healthHandler({ policy: { kind: 'fixed_window', requests: 1, windowSeconds: 60 } });
    const options = async () =>
      (await handler)(
        apiGatewayEvent({ method: 'OPTIONS', path: '/no-such-path', sourceIp: '192.0.2.55' }),
        lambdaContext(),
      );
    expect((await options()).statusCode).toBe(200);
    expect((await options()).statusCode).toBe(429);
  });

  it('never limits a preflight for a served path at the fallback, but limits OPTIONS floods at unknown ones', async () => {
    const runtime = testRuntime(
      { API_RATE_LIMIT_REQUESTS: '1' },
      { stores: { rateLimits: dynamoDbRateLimitStore(client, tableName) } },
    );
    const fallback = await routeFallback(routes).build(runtime);
    const options = (path: string) =>
      fallback(apiGatewayEvent({ method: 'OPTIONS', path, sourceIp: '192.0.2.50' }), lambdaContext());
    for (let i = 0; i < 3; i += 1) expect((await options('/health')).statusCode).toBe(204);
    expect((await options('/no-such-path')).statusCode).toBe(404);
    expect((await options('/no-such-path')).statusCode).toBe(429);
  });
});

describe('limiter failure modes', () => {
  it.each([
    ['fail-closed', 503, ['backend_error', 'fail_closed']],
    ['fail-open', 200, ['backend_error', 'fail_open']],
  ] as const)(
    'with DynamoDB unreachable, %s answers %i within the limiter timeout and counts it',
    async (mode, status, outcomes) => {
      const unreachable = limiterClient(`http://127.0.0.1:${await freePort()}`);
      const { handler, recorder, runtime } = healthHandler({
        policy: { kind: 'token_bucket', burst: 5, perSeconds: 60 },
        failureMode: mode,
        dynamoDb: unreachable,
      });
      const started = performance.now();
      const answer = await call(handler, { 'x-request-id': `unreachable-${mode}` }, '192.0.2.60');
      const elapsedMs = performance.now() - started;
      expect(answer.statusCode).toBe(status);
      expect(elapsedMs).toBeLessThan(3_000);
      expect(recorder.outcomes()).toEqual(outcomes);
      if (status === 503) {
        expect(answer.headers).toMatchObject({
          'Content-Type': 'application/problem+json',
          'Retry-After': '5',
        });
        expect(JSON.parse(answer.body)).toMatchObject({
          type: 'urn:bulwark:problem:limiter-unavailable',
          status: 503,
        });
      } else {
        expect(runtime.logs.entries().some((entry) => entry.message?.includes('fail-open') === true)).toBe(
          true,
        );
      }
      unreachable.destroy();
    },
  );

  it('fails closed when DynamoDB Local stops in the middle of a run, and never answers 500', async () => {
    const second = await startDynamoDbLocal();
    const secondClient = limiterClient(second.endpoint);
    const setupClient = createDynamoDbClient({
      region: 'local',
      endpoint: second.endpoint,
      connectionTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
    });
    const tables = await createTables(setupClient, 'stop-mid-run-');
    setupClient.destroy();
    const recorder = recordingMetrics();
    const handler = chainOf(
      testRuntime(),
      {
        auth: 'public',
        rateLimit: {
          limiter: createRateLimiter({
            store: dynamoDbRateLimitStore(secondClient, tables.rateLimits),
            clock: mutableClock(t0),
          }),
          metrics: recorder.metrics,
          routeId: 'health',
          policy: { kind: 'token_bucket', burst: 100, perSeconds: 60 },
          failureMode: 'fail-closed',
        },
      },
      async () => jsonResponse(200, { status: 'ok' }),
    );
    // A JVM this fresh can miss the limiter's 300 ms deadline on its first writes; wait until it answers.
    await expect
      .poll(async () => (await call(handler, {}, '192.0.2.70')).statusCode, {
        timeout: 15_000,
        interval: 100,
      })
      .toBe(200);
    const before = recorder.outcomes().length;
    await second.stop();
    const during = await call(handler, {}, '192.0.2.70');
    expect(during.statusCode).toBe(503);
    expect(recorder.outcomes().slice(before)).toEqual(['backend_error', 'fail_closed']);
    expect(recorder.outcomes()).not.toContain('fail_open');
    secondClient.destroy();
  });
});

describe('failure mode configuration', () => {
  it('refuses fail-open in production without the acknowledgement, naming the variable', () => {
    expect(() =>
      parseRuntimeConfig({
        ENVIRONMENT: 'production',
        CORS_ALLOW_ORIGINS: 'https://app.example.com',
        SECURITY_LIMITER_FAILURE_MODE: 'fail-open',
      }),
    ).toThrow(/SECURITY_LIMITER_FAILURE_MODE/);
  });

  it('accepts acknowledged fail-open in production and logs it at cold start', () => {
    const runtime = testRuntime({
      ENVIRONMENT: 'production',
      CORS_ALLOW_ORIGINS: 'https://app.example.com',
      SECURITY_LIMITER_FAILURE_MODE: 'fail-open',
      SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED: 'true',
      RATE_LIMIT_TABLE_NAME: tableName,
    });
    const security = rateLimitOf(runtime, routeIn(routes, 'health'));
    expect(security.failureMode).toBe('fail-open');
    expect(runtime.logs.entries().some((entry) => entry.level === 'WARN' && entry.route === 'health')).toBe(
      true,
    );
  });

  it('resolves the default policy from API_RATE_LIMIT_REQUESTS and API_RATE_LIMIT_WINDOW_SECONDS', () => {
    const runtime = testRuntime({
      API_RATE_LIMIT_REQUESTS: '7',
      API_RATE_LIMIT_WINDOW_SECONDS: '30',
      RATE_LIMIT_TABLE_NAME: tableName,
    });
    expect(rateLimitOf(runtime, routeIn(routes, 'create-user')).policy).toEqual({
      kind: 'fixed_window',
      requests: 7,
      windowSeconds: 30,
    });
    expect(rateLimitOf(runtime, routeIn(routes, 'health')).policy).toEqual({
      kind: 'fixed_window',
      requests: 5,
      windowSeconds: 60,
    });
  });
});
