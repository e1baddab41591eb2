/**
 * rateLimit and limitFailedAuthentication inside the real chain, with the real limiter over the in-memory
 * store: which key a request spends (client address or principal, per route), the 429 and its headers,
 * the RateLimit headers on every admitted answer, preflights and unlimited keys, the failure modes when
 * the limiter cannot decide, a revoked session's 401, and failed authentication counted per address.
 * The same chain on DynamoDB Local: test/integration/rate-limit/rate-limit-chain.test.ts.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { isServedPreflight } from '../../../shared/chain/route-fallback.js';
import { apiKeyRateLimitPolicy } from '../../../shared/domain/api-keys/api-key.js';
import type { LimiterFailureMode } from '../../../shared/domain/rate-limit/limiter-failure-mode.js';
import type { LimiterOutcome } from '../../../shared/domain/rate-limit/limiter-metrics.js';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';
import { RateLimitBackendError } from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { createRateLimiter, type RateLimiter } from '../../../shared/domain/rate-limit/rate-limiter.js';
import { sessionRevocationKey } from '../../../shared/domain/sessions/session-revocation-key.js';
import { QuotaExceededError } from '../../../shared/errors/rate-limit-errors.js';
import { jsonResponse } from '../../../shared/http/json-response.js';
import type { SecureRequest } from '../../../shared/http/secure-request.js';
import { type RateLimitOptions, rateLimitKey } from '../../../shared/middlewares/rate-limit.js';
import { routes } from '../../../shared/routes/route-table.js';
import { rateLimiterFor } from '../../../shared/runtime/rate-limiter-for.js';
import { importFresh } from '../../support/import-fresh.js';
import { inMemoryApiKeyStore } from '../../support/in-memory-api-key-store.js';
import { inMemoryRateLimitStore } from '../../support/in-memory-rate-limit-store.js';
import { chainOf } from '../../support/test-chain.js';
import {
  type ApiGatewayEventOptions,
  apiGatewayEvent,
  apiKeyRecord,
  FIXED_NOW_MS,
  issueTestAccessToken,
  lambdaContext,
  manualClock,
  TEST_API_KEY,
  TEST_PEPPER,
  TEST_SOURCE_IP,
  testRuntime,
} from '../../support/test-runtime.js';
import { expectProblem, headerOf } from '../http/chain-fixtures.js';

const twoAMinute: RateLimitPolicy = { kind: 'fixed_window', requests: 2, windowSeconds: 60 };
const windowStart = Math.floor(FIXED_NOW_MS / 60_000) * 60_000;
const [adminKeyId = '', adminSecret = ''] = TEST_API_KEY.split(':');
const keyedKeyId = 'bwk_keyedkeyedkeyedkeyed';
const keyedSecret = 'K'.repeat(43);

interface RouteSetup {
  readonly auth?: 'public' | 'required';
  readonly policy?: RateLimitPolicy;
  readonly failureMode?: LimiterFailureMode;
  readonly limiter?: RateLimiter;
  readonly unavailableRetryAfterSeconds?: number;
  readonly keyLimit?: { readonly burst: number; readonly perSeconds: number } | 'unlimited';
}

const route = async (setup: RouteSetup = {}) => {
  const keys = inMemoryApiKeyStore([
    apiKeyRecord({
      keyId: adminKeyId,
      secret: adminSecret,
      pepper: TEST_PEPPER,
      name: 'admin',
      roles: ['admin'],
    }),
    {
      ...apiKeyRecord({
        keyId: keyedKeyId,
        secret: keyedSecret,
        pepper: TEST_PEPPER,
        name: 'keyed',
        roles: ['user'],
      }),
      rateLimit: setup.keyLimit,
    },
  ]);
  // API keys keep their state on their records, whose version each write proves (ADR 0005).
  const store = inMemoryRateLimitStore(undefined, keys.peek);
  const runtime = testRuntime({ API_TRUST_PROXY_HOPS: '1' }, { apiKeyStore: keys });
  const counted: [LimiterOutcome, string, string][] = [];
  const options: RateLimitOptions = {
    limiter: setup.limiter ?? createRateLimiter({ store, clock: runtime.clock }),
    metrics: { count: (outcome, { route: id, policy }) => counted.push([outcome, id, policy]) },
    routeId: 'me',
    policy: setup.policy ?? twoAMinute,
    policyFor: (principal) =>
      principal.kind === 'api_key' && typeof principal.rateLimit === 'object'
        ? apiKeyRateLimitPolicy(principal.rateLimit)
        : undefined,
    failureMode: setup.failureMode ?? 'fail-closed',
    // As the route fallback configures it: preflights for paths Bulwark's table serves pass unlimited.
    exempt: isServedPreflight(routes),
    ...(setup.unavailableRetryAfterSeconds === undefined
      ? {}
      : { unavailableRetryAfterSeconds: setup.unavailableRetryAfterSeconds }),
  };
  const handler = await chainOf(runtime, { auth: setup.auth ?? 'public', rateLimit: options }, async () =>
    jsonResponse(200, { ok: true }),
  );
  const send = (event: ApiGatewayEventOptions = {}): Promise<APIGatewayProxyResult> =>
    handler(apiGatewayEvent({ path: '/api/v1/user/me', ...event }), lambdaContext());
  return { store, runtime, counted, send, keys };
};

const from = (address: string, headers: Record<string, string> = {}): ApiGatewayEventOptions => ({
  headers: { 'X-Forwarded-For': address, ...headers },
});
const withKey = (credential: string, address = '203.0.113.9'): ApiGatewayEventOptions =>
  from(address, { 'x-api-key': credential });
const failingLimiter: RateLimiter = {
  decide: async () => {
    throw new RateLimitBackendError(new Error('ThrottlingException'));
  },
};

describe('a public route', () => {
  it('admits its quota per client address with RateLimit headers, then answers 429 with Retry-After', async () => {
    const { send, counted } = await route();
    const first = await send(from('203.0.113.1'));
    expect(first.statusCode).toBe(200);
    expect(headerOf(first, 'ratelimit-policy')).toBe('"fw-2-per-60s";q=2;w=60');
    expect(headerOf(first, 'ratelimit')).toBe('"fw-2-per-60s";r=1;t=60');
    expect(headerOf(first, 'retry-after')).toBeUndefined();
    expect((await send(from('203.0.113.1'))).statusCode).toBe(200);
    const refused = await send(from('203.0.113.1'));
    expectProblem(refused, 429, 'quota-exceeded');
    expect(headerOf(refused, 'retry-after')).toBe('60');
    expect(headerOf(refused, 'ratelimit')).toBe('"fw-2-per-60s";r=0;t=60');
    expect(counted).toEqual([
      ['allow', 'me', 'fw-2-per-60s'],
      ['allow', 'me', 'fw-2-per-60s'],
      ['reject', 'me', 'fw-2-per-60s'],
      ['local_reject', 'me', 'fw-2-per-60s'],
    ]);
  });

  it('counts a reject the store decided without counting it as local', async () => {
    const { send, counted, store } = await route();
    store.put(`rl#me#ip:203.0.113.1#fw-2-per-60s#${windowStart}`, { count: 2, expiresAtSeconds: 0 });
    expect((await send(from('203.0.113.1'))).statusCode).toBe(429);
    expect(counted).toEqual([['reject', 'me', 'fw-2-per-60s']]);
  });

  it('spends the budget of the route and the client address, the addresses of one IPv6 /64 together', async () => {
    const { send, store } = await route();
    await send(from('2001:db8:1:2::10'));
    await send(from('2001:db8:1:2::99'));
    expect((await send(from('2001:db8:1:2:ffff::1'))).statusCode).toBe(429);
    expect((await send(from('2001:db8:1:3::10'))).statusCode).toBe(200);
    expect((await send(from('203.0.113.2'))).statusCode).toBe(200);
    expect(store.item(`rl#me#ip:2001:0db8:0001:0002::/64#fw-2-per-60s#${windowStart}`)?.count).toBe(2);
    expect(store.item(`rl#me#ip:203.0.113.2#fw-2-per-60s#${windowStart}`)?.count).toBe(1);
  });

  it('never limits a preflight for a path the API serves, but limits OPTIONS floods at unknown paths', async () => {
    const { send, store } = await route();
    for (let i = 0; i < 3; i += 1) {
      expect((await send({ ...from('203.0.113.3'), method: 'OPTIONS' })).statusCode).toBe(200);
    }
    expect(store.calls()).toBe(0);
    for (let i = 0; i < 2; i += 1)
      await send({ ...from('203.0.113.3'), method: 'OPTIONS', path: '/nowhere' });
    expect((await send({ ...from('203.0.113.3'), method: 'OPTIONS', path: '/nowhere' })).statusCode).toBe(
      429,
    );
  });

  it('limits a GET to a served path, preflights only being exempt', async () => {
    const { send } = await route();
    await send(from('203.0.113.4'));
    await send(from('203.0.113.4'));
    expect((await send({ ...from('203.0.113.4'), method: 'GET' })).statusCode).toBe(429);
  });
});

describe('an authenticated route', () => {
  it("spends the principal's budget, wherever its requests come from", async () => {
    const { send, store } = await route({ auth: 'required' });
    expect((await send(withKey(TEST_API_KEY, '203.0.113.10'))).statusCode).toBe(200);
    expect((await send(withKey(TEST_API_KEY, '203.0.113.11'))).statusCode).toBe(200);
    expect((await send(withKey(TEST_API_KEY, '203.0.113.12'))).statusCode).toBe(429);
    // Kept on the key's record, in the route's slot (ADR 0005, API-key requests).
    expect(store.slot('bwk_abcdefghijklmnopqrst', 'rl#me#fw-2-per-60s')).toEqual({
      windowStartMs: windowStart,
      count: 2,
    });
  });

  it("uses an API key's own bucket instead of the route's policy", async () => {
    const { send, counted } = await route({ auth: 'required', keyLimit: { burst: 3, perSeconds: 60 } });
    const credential = `${keyedKeyId}:${keyedSecret}`;
    for (let i = 0; i < 3; i += 1) expect((await send(withKey(credential))).statusCode).toBe(200);
    const refused = await send(withKey(credential));
    expect(refused.statusCode).toBe(429);
    expect(headerOf(refused, 'ratelimit-policy')).toBe('"tb-3-per-60s";q=3;w=60');
    expect(counted.at(-1)).toEqual(['local_reject', 'me', 'tb-3-per-60s']);
  });

  it('lets an explicitly unlimited API key skip the limiter altogether', async () => {
    const { send, store } = await route({ auth: 'required', keyLimit: 'unlimited' });
    for (let i = 0; i < 4; i += 1) {
      const answer = await send(withKey(`${keyedKeyId}:${keyedSecret}`));
      expect(answer.statusCode).toBe(200);
      expect(headerOf(answer, 'ratelimit')).toBeUndefined();
    }
    expect(store.calls()).toBe(0);
  });

  it("refuses a revoked session's token with 401, in the write that would have spent its budget", async () => {
    const { send, runtime, store } = await route({ auth: 'required' });
    const { token } = await issueTestAccessToken(runtime, { sessionId: 'cmV2b2tlZC1zZXNzaW9uLQ' });
    store.revoke(sessionRevocationKey('cmV2b2tlZC1zZXNzaW9uLQ'));
    const answer = await send(from('203.0.113.13', { Authorization: `Bearer ${token}` }));
    expectProblem(answer, 401, 'invalid-credentials');
    expect(runtime.logs.text()).not.toContain('"status":429');
  });
});

describe('when the limiter cannot decide', () => {
  it('refuses with 503 and Retry-After on a fail-closed route, counting the backend error', async () => {
    const { send, counted, runtime } = await route({ limiter: failingLimiter });
    const answer = await send(from('203.0.113.20'));
    expectProblem(answer, 503, 'limiter-unavailable');
    expect(headerOf(answer, 'retry-after')).toBe('5');
    expect(counted).toEqual([
      ['backend_error', 'me', 'fw-2-per-60s'],
      ['fail_closed', 'me', 'fw-2-per-60s'],
    ]);
    const [logged] = runtime.logs.entries().filter((entry) => entry.message.includes('fail-closed'));
    expect(logged).toMatchObject({ level: 'ERROR', route: 'me', policy: 'fw-2-per-60s' });
    expect(JSON.stringify(logged?.error)).toContain('RateLimitBackendError');
  });

  it('says the configured Retry-After', async () => {
    const { send } = await route({ limiter: failingLimiter, unavailableRetryAfterSeconds: 17 });
    expect(headerOf(await send(from('203.0.113.21')), 'retry-after')).toBe('17');
  });

  it('admits without RateLimit headers on a fail-open route, counting and logging it', async () => {
    const { send, counted, runtime } = await route({ limiter: failingLimiter, failureMode: 'fail-open' });
    const answer = await send(from('203.0.113.22'));
    expect(answer.statusCode).toBe(200);
    expect(headerOf(answer, 'ratelimit')).toBeUndefined();
    expect(counted).toEqual([
      ['backend_error', 'me', 'fw-2-per-60s'],
      ['fail_open', 'me', 'fw-2-per-60s'],
    ]);
    const [logged] = runtime.logs.entries().filter((entry) => entry.message.includes('fail-open'));
    expect(logged).toMatchObject({ level: 'WARN', route: 'me', policy: 'fw-2-per-60s' });
    expect(JSON.stringify(logged?.error)).toContain('RateLimitBackendError');
  });

  it('never fails open for a session token, whose revocation only the limiter would prove', async () => {
    const { send, runtime } = await route({
      auth: 'required',
      limiter: failingLimiter,
      failureMode: 'fail-open',
    });
    const { token } = await issueTestAccessToken(runtime);
    const answer = await send(from('203.0.113.23', { Authorization: `Bearer ${token}` }));
    expectProblem(answer, 503, 'limiter-unavailable');
  });

  it('fails open for an API key, which has no session to revoke', async () => {
    const { send } = await route({ auth: 'required', limiter: failingLimiter, failureMode: 'fail-open' });
    expect((await send(withKey(TEST_API_KEY))).statusCode).toBe(200);
  });
});

describe('failed authentication', () => {
  const wrongKey = `bwk_abcdefghijklmnopqrst:${'w'.repeat(43)}`;

  it("counts against the client address's budget of the route and answers 401 until it is spent, then 429", async () => {
    const { send, store, counted } = await route({ auth: 'required' });
    const first = await send(withKey(wrongKey, '203.0.113.30'));
    expectProblem(first, 401, 'invalid-credentials');
    expect(headerOf(first, 'ratelimit')).toBe('"fw-2-per-60s";r=1;t=60');
    expectProblem(await send(from('203.0.113.30')), 401, 'unauthenticated');
    const refused = await send(withKey(wrongKey, '203.0.113.30'));
    expectProblem(refused, 429, 'quota-exceeded');
    expect(headerOf(refused, 'retry-after')).toBe('60');
    expect(store.item(`rl#me#ip:203.0.113.30#fw-2-per-60s#${windowStart}`)?.count).toBe(2);
    expect(counted).toEqual([
      ['reject', 'me', 'fw-2-per-60s'],
      ['local_reject', 'me', 'fw-2-per-60s'],
    ]);
  });

  it("never spends a valid principal's budget", async () => {
    const { send } = await route({ auth: 'required' });
    for (let i = 0; i < 3; i += 1) await send(withKey(wrongKey, '203.0.113.31'));
    expect((await send(withKey(TEST_API_KEY, '203.0.113.31'))).statusCode).toBe(200);
  });

  it('counts a reject the store decided without counting it as local', async () => {
    const { send, store, counted } = await route({ auth: 'required' });
    store.put(`rl#me#ip:203.0.113.32#fw-2-per-60s#${windowStart}`, { count: 2, expiresAtSeconds: 0 });
    expect((await send(withKey(wrongKey, '203.0.113.32'))).statusCode).toBe(429);
    expect(counted).toEqual([['reject', 'me', 'fw-2-per-60s']]);
  });

  it('keeps the 401 when the limiter cannot decide, counting the backend error', async () => {
    const { send, counted, runtime } = await route({ auth: 'required', limiter: failingLimiter });
    expectProblem(await send(withKey(wrongKey, '203.0.113.33')), 401, 'invalid-credentials');
    expect(counted).toEqual([['backend_error', 'me', 'fw-2-per-60s']]);
    const [logged] = runtime.logs
      .entries()
      .filter((entry) => entry.message === 'rate limiter unavailable: failed authentication not counted');
    expect(logged).toMatchObject({ level: 'WARN', route: 'me', policy: 'fw-2-per-60s' });
    expect(JSON.stringify(logged?.error)).toContain('RateLimitBackendError');
  });

  it('is keyed by the IPv6 /64 of the client address', async () => {
    const { send } = await route({ auth: 'required' });
    await send(withKey(wrongKey, '2001:db8:9:9::1'));
    await send(withKey(wrongKey, '2001:db8:9:9::2'));
    expect((await send(withKey(wrongKey, '2001:db8:9:9::3'))).statusCode).toBe(429);
  });
});

describe('a route without per-principal policies', () => {
  it("limits every principal by the route's policy", async () => {
    const runtime = testRuntime();
    const handler = await chainOf(
      runtime,
      {
        auth: 'required',
        rateLimit: {
          limiter: rateLimiterFor(runtime).limiter,
          metrics: { count: () => undefined },
          routeId: 'me',
          policy: twoAMinute,
          failureMode: 'fail-closed',
        },
      },
      async () => jsonResponse(200, {}),
    );
    const send = () => handler(apiGatewayEvent({ headers: { 'x-api-key': TEST_API_KEY } }), lambdaContext());
    expect((await send()).statusCode).toBe(200);
    expect((await send()).statusCode).toBe(200);
    expect((await send()).statusCode).toBe(429);
  });
});

describe('the address a request is keyed by', () => {
  it('is the trusted client address when no proxy hop is trusted', async () => {
    const { store, runtime } = await route();
    const handler = await chainOf(
      testRuntime(),
      {
        auth: 'public',
        rateLimit: {
          limiter: createRateLimiter({ store, clock: runtime.clock }),
          metrics: { count: () => undefined },
          routeId: 'health',
          policy: twoAMinute,
          failureMode: 'fail-closed',
        },
      },
      async () => jsonResponse(200, {}),
    );
    await handler(apiGatewayEvent(from('203.0.113.40')), lambdaContext());
    expect(store.item(`rl#health#ip:${TEST_SOURCE_IP}#fw-2-per-60s#${windowStart}`)?.count).toBe(1);
  });
});

describe('the key a request is limited by', () => {
  const requestOf = (bulwark: { principal?: { kind: string; id: string }; clientIp: string }) =>
    ({ context: { bulwark } }) as unknown as SecureRequest;

  it("is the principal's kind and id when there is one, whatever the address", () => {
    expect(rateLimitKey(requestOf({ principal: { kind: 'user', id: 'u-1' }, clientIp: '203.0.113.9' }))).toBe(
      'user:u-1',
    );
    expect(rateLimitKey(requestOf({ principal: { kind: 'user', id: 'u-2' }, clientIp: '203.0.113.9' }))).toBe(
      'user:u-2',
    );
  });

  it('is the client address when nobody is authenticated', () => {
    expect(rateLimitKey(requestOf({ clientIp: '203.0.113.9' }))).toBe('ip:203.0.113.9');
  });
});

describe('limitFailedAuthentication, loaded afresh (it is a module constant)', () => {
  it("counts each failure against the client address's budget and throws 429 past it", async () => {
    const fresh = await importFresh<typeof import('../../../shared/middlewares/rate-limit.js')>(
      new URL('../../../shared/middlewares/rate-limit.js', import.meta.url),
    );
    const limit = fresh.limitFailedAuthentication({
      limiter: createRateLimiter({ store: inMemoryRateLimitStore(), clock: manualClock(FIXED_NOW_MS) }),
      metrics: { count: () => undefined },
      routeId: 'me',
      policy: twoAMinute,
      failureMode: 'fail-closed',
    });
    const request = () =>
      ({
        context: { bulwark: { clientIp: '203.0.113.40', responseHeaders: {} } },
      }) as unknown as SecureRequest;
    await limit(request());
    await limit(request());
    await expect(limit(request())).rejects.toBeInstanceOf(QuotaExceededError);
  });
});

describe('an API key decided on its record (ADR 0005, API-key requests)', () => {
  const credential = `${keyedKeyId}:${keyedSecret}`;
  const recordChanged: RateLimiter = {
    decide: async (_key, policy) => ({
      allowed: false,
      policy,
      remaining: 0,
      resetSeconds: 0,
      retryAfterSeconds: undefined,
      source: 'backend',
      backendCalls: 1,
      guardFailed: false,
      recordChanged: true,
    }),
  };

  it('reads the record once, then decides each request in one write on the record, keyed by route alone', async () => {
    const { send, store, keys } = await route({ auth: 'required' });
    expect((await send(withKey(credential))).statusCode).toBe(200);
    const [gets, calls] = [keys.gets(), store.calls()];
    expect((await send(withKey(credential))).statusCode).toBe(200);
    expect([keys.gets() - gets, store.calls() - calls]).toEqual([0, 1]);
    expect(store.slot(keyedKeyId, 'rl#me#fw-2-per-60s')).toEqual({ windowStartMs: windowStart, count: 2 });
  });

  it("decides a changed key anew on the next request: read again, under the key's new limit", async () => {
    const { send, keys, counted } = await route({ auth: 'required' });
    await send(withKey(credential));
    await keys.update(keyedKeyId, { rateLimit: { burst: 5, perSeconds: 60 }, updatedAtMs: FIXED_NOW_MS });
    const gets = keys.gets();
    const answer = await send(withKey(credential));
    expect(answer.statusCode).toBe(200);
    expect(headerOf(answer, 'ratelimit-policy')).toBe('"tb-5-per-60s";q=5;w=60');
    expect(keys.gets() - gets).toBe(1);
    expect(counted.map(([outcome]) => outcome)).toEqual(['allow', 'allow']);
  });

  it('refuses a key revoked after this instance cached it with 401, as an authentication failure', async () => {
    const { send, keys, counted, runtime } = await route({ auth: 'required' });
    await send(withKey(credential));
    await keys.revoke(keyedKeyId, FIXED_NOW_MS);
    expectProblem(await send(withKey(credential)), 401, 'invalid-credentials');
    expect(counted.map(([outcome]) => outcome)).toEqual(['allow']);
    expect(runtime.counted().map((metric) => metric.name)).toContain('auth_failure');
  });

  it('gives up with 503 after three rounds of a record that changes every time, reading it twice', async () => {
    const { send, keys, counted, runtime } = await route({ auth: 'required', limiter: recordChanged });
    const answer = await send(withKey(credential));
    expectProblem(answer, 503, 'limiter-unavailable');
    expect(headerOf(answer, 'retry-after')).toBe('5');
    // The first verification and two refreshes.
    expect(keys.gets()).toBe(3);
    expect(counted).toEqual([['fail_closed', 'me', 'fw-2-per-60s']]);
    // The operator's log says why the limiter gave up (the answer itself never carries a cause).
    expect(runtime.logs.text()).toContain('the API key record kept changing');
    expect(answer.body).not.toContain('kept changing');
  });

  it('on a fail-open route reads a key known only from cache before admitting it', async () => {
    const { send, keys } = await route({
      auth: 'required',
      failureMode: 'fail-open',
      limiter: failingLimiter,
    });
    // Cold: verified by a read, so failing open needs no other.
    expect((await send(withKey(credential))).statusCode).toBe(200);
    expect(keys.gets()).toBe(1);
    // Cached: read once more before failing open, so a revoked key is still refused.
    expect((await send(withKey(credential))).statusCode).toBe(200);
    expect(keys.gets()).toBe(2);
    await keys.revoke(keyedKeyId, FIXED_NOW_MS);
    expectProblem(await send(withKey(credential)), 401, 'invalid-credentials');
  });
});
