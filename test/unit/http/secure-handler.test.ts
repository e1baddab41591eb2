/**
 * The security chain on real middy handlers built by createSecureHandler: what every response carries,
 * every rejection path, and the order decisions (host and size before authentication, authentication
 * before parsing).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createUserInput } from '../../../shared/domain/users/create-user-input.js';
import { ConfigurationError } from '../../../shared/errors/configuration-error.js';
import { DependencyUnavailableError } from '../../../shared/errors/request-errors.js';
import { jsonResponse } from '../../../shared/http/json-response.js';
import { inMemoryApiKeyStore } from '../../support/in-memory-api-key-store.js';
import { chainOf } from '../../support/test-chain.js';
import {
  type ApiGatewayEventOptions,
  apiGatewayEvent,
  apiKeyRecord,
  inMemorySecretStore,
  issueTestAccessToken,
  TEST_API_KEY,
  TEST_HOST,
  TEST_PEPPER,
  TEST_SECRET_ARN,
  TEST_SOURCE_IP,
  TEST_VERIFICATION_KEYS,
  TEST_VERIFICATION_SECRET_ARN,
  type TestRuntime,
  testApiKeyStore,
  testRuntime,
} from '../../support/test-runtime.js';
import {
  expectGeneratedRequestId,
  expectProblem,
  expectSecurityHeaders,
  fallbackHandler,
  headerNames,
  headerOf,
  invoke,
  listOf,
  problemOf,
} from './chain-fixtures.js';

const allowedOrigin = 'https://app.example.com';
const maxBodyBytes = 1024;
const baseEnv = {
  CORS_ALLOW_ORIGINS: allowedOrigin,
  API_BODY_MAX_BYTES: String(maxBodyBytes),
  TRUSTED_HOSTS: `${TEST_HOST},*.example.com`,
};

const quantityInput = z.strictObject({ quantity: z.number().int(), note: z.string().max(20).optional() });
const thrownMessage = 'connect ECONNREFUSED users-db: password=hunter2-do-not-leak';

const buildRoutes = async (env: Record<string, string> = {}, runtime?: TestRuntime) => {
  const rt = runtime ?? testRuntime({ ...baseEnv, ...env });
  return {
    runtime: rt,
    publicRoute: await chainOf(rt, { auth: 'public' }, async (input) =>
      jsonResponse(200, { requestId: input.requestId, clientIp: input.clientIp }),
    ),
    createUser: await chainOf(rt, { auth: 'required', body: createUserInput }, async ({ body, principal }) =>
      jsonResponse(201, { username: body.username, principal: principal?.kind ?? null }),
    ),
    quantity: await chainOf(rt, { auth: 'required', body: quantityInput }, async ({ body }) =>
      jsonResponse(200, { quantity: body.quantity }),
    ),
    throwing: await chainOf(rt, { auth: 'public' }, async () => {
      throw new Error(thrownMessage);
    }),
    unavailable: await chainOf(rt, { auth: 'public' }, async () => {
      throw new DependencyUnavailableError('users-table', new Error('socket hang up at 10.0.0.12'), 7);
    }),
    fallback: await fallbackHandler(rt),
  };
};

const userBody = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ username: 'alice', password: 'correct horse battery', ...overrides });

const postUser = (options: ApiGatewayEventOptions = {}) =>
  apiGatewayEvent({
    method: 'POST',
    path: '/api/v1/user',
    body: userBody(),
    ...options,
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': TEST_API_KEY, ...options.headers },
  });

describe('a request the chain admits', () => {
  it('reaches the route, which receives the validated body and the api_key principal', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(createUser, postUser());
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toEqual({ username: 'alice', principal: 'api_key' });
    expect(headerOf(response, 'content-type')).toBe('application/json');
  });

  it('carries every security header and a generated request id that the route also saw', async () => {
    const { publicRoute } = await buildRoutes();
    const response = await invoke(publicRoute, apiGatewayEvent());
    expect(response.statusCode).toBe(200);
    expectSecurityHeaders(response);
    const requestId = expectGeneratedRequestId(response);
    expect(JSON.parse(response.body)).toEqual({ requestId, clientIp: TEST_SOURCE_IP });
  });

  it('accepts the API key header in any casing API Gateway delivers it in', async () => {
    const { createUser } = await buildRoutes();
    const event = postUser();
    delete event.headers['X-Api-Key'];
    event.headers['X-API-KEY'] = TEST_API_KEY;
    expect((await invoke(createUser, event)).statusCode).toBe(201);
  });

  it('accepts application/json with a utf-8 charset parameter', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(
      createUser,
      postUser({ headers: { 'Content-Type': 'Application/JSON; charset="UTF-8"' } }),
    );
    expect(response.statusCode).toBe(201);
  });

  it('decodes a base64 JSON body before validating it', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(
      createUser,
      postUser({
        body: Buffer.from(userBody({ username: 'bob' })).toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({ username: 'bob' });
  });

  it('loads the verification keys and the pepper at cold start, then reads the pepper (through the cache) and the key record on each request', async () => {
    // No private signing key in the store: a verifying route must not need it.
    const store = inMemorySecretStore({
      [TEST_SECRET_ARN]: { pepper: TEST_PEPPER },
      [TEST_VERIFICATION_SECRET_ARN]: TEST_VERIFICATION_KEYS,
    });
    const apiKeyStore = testApiKeyStore();
    const runtime = testRuntime(baseEnv, { secretStore: store, apiKeyStore });
    const createUser = await chainOf(runtime, { auth: 'required', body: createUserInput }, async () =>
      jsonResponse(201, {}),
    );
    expect(store.requests).toEqual([TEST_VERIFICATION_SECRET_ARN, TEST_SECRET_ARN]);
    expect(apiKeyStore.gets()).toBe(0);
    expect((await invoke(createUser, postUser())).statusCode).toBe(201);
    expect(store.requests).toEqual([TEST_VERIFICATION_SECRET_ARN, TEST_SECRET_ARN, TEST_SECRET_ARN]);
    expect(apiKeyStore.gets()).toBe(1);
  });

  it('admits an access token in Authorization: Bearer as the user principal, reading the verification keys and no key record', async () => {
    const apiKeyStore = testApiKeyStore();
    const runtime = testRuntime(baseEnv, { apiKeyStore });
    const createUser = await chainOf(
      runtime,
      { auth: 'required', body: createUserInput },
      async ({ body, principal }) => jsonResponse(201, { username: body.username, principal }),
    );
    const { token } = await issueTestAccessToken(runtime, { username: 'root', roles: ['admin'] });
    const response = await invoke(
      createUser,
      postUser({ headers: { 'X-Api-Key': undefined, Authorization: `Bearer ${token}` } }),
    );
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toEqual({
      username: 'alice',
      principal: {
        kind: 'user',
        id: '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b',
        username: 'root',
        roles: ['admin'],
        sessionId: 'c2Vzc2lvbi1pZC1mb3ItdA',
        tokenId: 'test-token-id-1',
      },
    });
    expect(apiKeyStore.gets()).toBe(0);
  });
});

describe('the request id', () => {
  const safeIds = ['req-123', 'A.b_C-9', 'x'.repeat(128)];

  it.each(safeIds)('echoes the safe x-request-id %j in the header, on success', async (requestId) => {
    const { publicRoute } = await buildRoutes();
    const response = await invoke(publicRoute, apiGatewayEvent({ headers: { 'X-Request-Id': requestId } }));
    expect(response.statusCode).toBe(200);
    expect(headerOf(response, 'x-request-id')).toBe(requestId);
    expect(JSON.parse(response.body)).toMatchObject({ requestId });
  });

  it.each(safeIds)(
    'echoes the safe x-request-id %j in the header and the problem body, on error',
    async (requestId) => {
      const { createUser } = await buildRoutes();
      const response = await invoke(
        createUser,
        postUser({ headers: { 'X-Api-Key': 'wrong', 'x-request-id': requestId } }),
      );
      const problem = expectProblem(response, 401, 'invalid-credentials');
      expect(problem.request_id).toBe(requestId);
    },
  );

  const unsafeIds = {
    'longer than 128 characters': 'x'.repeat(129),
    'a space': 'abc def',
    'a header injection': 'abc\r\nSet-Cookie: session=stolen',
    'a bare line feed': 'abc\n',
    'a log-forging JSON fragment': 'abc","level":"ERROR',
    'a semicolon': 'id;drop',
    'a slash': '../../etc/passwd',
    'a non-ASCII letter': 'réq-1',
    'nothing at all': '',
  };

  it.each(Object.entries(unsafeIds))(
    'replaces an x-request-id with %s by a generated one, on success and on error',
    async (_, requestId) => {
      const { publicRoute, throwing } = await buildRoutes();
      for (const handler of [publicRoute, throwing]) {
        const response = await invoke(handler, apiGatewayEvent({ headers: { 'X-Request-Id': requestId } }));
        const generated = expectGeneratedRequestId(response);
        expect(generated).not.toBe(requestId);
        const body = JSON.parse(response.body) as { requestId?: string; request_id?: string };
        expect(body.requestId ?? body.request_id).toBe(generated);
        if (requestId.length > 0) expect(JSON.stringify(response)).not.toContain(requestId);
      }
    },
  );

  it('stamps the request id on every log line written during the request', async () => {
    const { runtime, createUser } = await buildRoutes();
    await invoke(createUser, postUser({ headers: { 'X-Api-Key': 'wrong', 'X-Request-Id': 'trace-me-42' } }));
    const entries = runtime.logs.entries();
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.request_id).toBe('trace-me-42');
  });
});

describe('every response, success or error', () => {
  type Routes = Awaited<ReturnType<typeof buildRoutes>>;
  type Extra = Record<string, string | undefined>;
  const scenarios: Record<string, (routes: Routes, extra: Extra) => Promise<APIGatewayProxyResult>> = {
    '200 success': ({ publicRoute }, extra) => invoke(publicRoute, apiGatewayEvent({ headers: extra })),
    '201 success': ({ createUser }, extra) => invoke(createUser, postUser({ headers: extra })),
    '204 preflight': ({ fallback }, extra) =>
      invoke(fallback, apiGatewayEvent({ method: 'OPTIONS', path: '/api/v1/user', headers: extra })),
    '400 malformed JSON': ({ createUser }, extra) =>
      invoke(createUser, postUser({ body: '{"username":', headers: extra })),
    '400 untrusted host': ({ publicRoute }, extra) =>
      invoke(publicRoute, apiGatewayEvent({ headers: { ...extra, Host: 'evil.test' } })),
    '401 missing key': ({ createUser }, extra) =>
      invoke(createUser, postUser({ headers: { ...extra, 'X-Api-Key': undefined } })),
    '401 wrong key': ({ createUser }, extra) =>
      invoke(createUser, postUser({ headers: { ...extra, 'X-Api-Key': 'nope' } })),
    '404 unknown path': ({ fallback }, extra) =>
      invoke(fallback, apiGatewayEvent({ path: '/nope', headers: extra })),
    '405 wrong method': ({ fallback }, extra) =>
      invoke(fallback, apiGatewayEvent({ method: 'DELETE', path: '/health', headers: extra })),
    '413 too large': ({ createUser }, extra) =>
      invoke(createUser, postUser({ body: 'x'.repeat(maxBodyBytes + 1), headers: extra })),
    '415 wrong media type': ({ createUser }, extra) =>
      invoke(createUser, postUser({ headers: { ...extra, 'Content-Type': 'text/plain' } })),
    '422 invalid body': ({ createUser }, extra) =>
      invoke(createUser, postUser({ body: '{}', headers: extra })),
    '500 handler threw': ({ throwing }, extra) => invoke(throwing, apiGatewayEvent({ headers: extra })),
    '503 dependency down': ({ unavailable }, extra) =>
      invoke(unavailable, apiGatewayEvent({ headers: extra })),
  };
  const run = async (name: string, extra: Extra = {}): Promise<APIGatewayProxyResult> => {
    const scenario = scenarios[name];
    if (scenario === undefined) throw new Error(`no scenario ${name}`);
    const response = await scenario(await buildRoutes(), extra);
    expect(response.statusCode).toBe(Number(name.slice(0, 3)));
    return response;
  };

  it.each(Object.keys(scenarios))('carries every security header: %s', async (name) => {
    const response = await run(name);
    expectSecurityHeaders(response);
    if (response.statusCode >= 400) {
      const problem = problemOf(response);
      expect(Object.keys(problem)).toEqual(
        expect.arrayContaining(['type', 'title', 'status', 'detail', 'request_id']),
      );
      expect(problem.status).toBe(response.statusCode);
      expect(problem.request_id).toBe(headerOf(response, 'x-request-id'));
    }
  });

  it.each(Object.keys(scenarios))('echoes a safe x-request-id: %s', async (name) => {
    const response = await run(name, { 'X-Request-Id': `rid-${name.slice(0, 3)}` });
    expect(headerOf(response, 'x-request-id')).toBe(`rid-${name.slice(0, 3)}`);
    if (response.statusCode >= 400) expect(problemOf(response).request_id).toBe(`rid-${name.slice(0, 3)}`);
  });

  it.each(Object.keys(scenarios))('answers an allowed origin with CORS headers: %s', async (name) => {
    const response = await run(name, { Origin: allowedOrigin });
    expect(headerOf(response, 'access-control-allow-origin')).toBe(allowedOrigin);
    expect(headerOf(response, 'access-control-expose-headers')).toContain('x-request-id');
    expect(listOf(headerOf(response, 'vary'))).toEqual(['Origin']);
  });

  it.each(Object.keys(scenarios))(
    'answers an unlisted origin without Access-Control-Allow-Origin: %s',
    async (name) => {
      const response = await run(name, { Origin: 'https://evil.example.net' });
      expect(headerNames(response)).not.toContain('access-control-allow-origin');
      expect(listOf(headerOf(response, 'vary'))).toEqual(['Origin']);
    },
  );
});

describe('CORS', () => {
  const withOrigin = (origin: string) => apiGatewayEvent({ headers: { Origin: origin } });

  it('answers an allowed origin with exactly that origin, and Vary: Origin once', async () => {
    const { publicRoute } = await buildRoutes();
    const response = await invoke(publicRoute, withOrigin(allowedOrigin));
    expect(headerOf(response, 'access-control-allow-origin')).toBe(allowedOrigin);
    expect(listOf(headerOf(response, 'vary'))).toEqual(['Origin']);
  });

  it('allows the content type, the configured auth header and x-request-id as request headers', async () => {
    const { publicRoute } = await buildRoutes();
    const response = await invoke(publicRoute, withOrigin(allowedOrigin));
    const allowed = listOf(headerOf(response, 'access-control-allow-headers')).map((h) => h.toLowerCase());
    expect(allowed).toEqual(expect.arrayContaining(['content-type', 'x-api-key', 'x-request-id']));
  });

  it('allows a custom API_AUTH_HEADER as a request header', async () => {
    const { publicRoute } = await buildRoutes({ API_AUTH_HEADER: 'X-Bulwark-Key' });
    const response = await invoke(publicRoute, withOrigin(allowedOrigin));
    const allowed = listOf(headerOf(response, 'access-control-allow-headers')).map((h) => h.toLowerCase());
    expect(allowed).toContain('x-bulwark-key');
  });

  it('exposes the request id and the rate-limit headers to scripts', async () => {
    const { publicRoute } = await buildRoutes();
    const response = await invoke(publicRoute, withOrigin(allowedOrigin));
    const exposed = listOf(headerOf(response, 'access-control-expose-headers')).map((h) => h.toLowerCase());
    expect(exposed).toEqual(
      expect.arrayContaining(['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy']),
    );
  });

  it.each([
    ['another origin', 'https://evil.example.net'],
    ['a look-alike origin', 'https://app.example.com.evil.net'],
    ['the same host over http', 'http://app.example.com'],
    ['the opaque null origin', 'null'],
  ])('gives %s no Access-Control-Allow-Origin but still Vary: Origin once', async (_, origin) => {
    const { publicRoute, createUser } = await buildRoutes();
    for (const response of [
      await invoke(publicRoute, withOrigin(origin)),
      await invoke(createUser, postUser({ headers: { Origin: origin, 'X-Api-Key': undefined } })),
    ]) {
      expect(headerNames(response)).not.toContain('access-control-allow-origin');
      expect(JSON.stringify(response.headers)).not.toContain(origin === 'null' ? '"null"' : origin);
      expect(listOf(headerOf(response, 'vary'))).toEqual(['Origin']);
    }
  });

  it.each([
    ['a trailing slash', `${allowedOrigin}/`],
    ['a path', `${allowedOrigin}/.evil.net`],
    ['upper case', allowedOrigin.toUpperCase()],
  ])('never names any origin but an allowlisted one, even for an Origin with %s', async (_, origin) => {
    const { publicRoute } = await buildRoutes();
    const response = await invoke(publicRoute, withOrigin(origin));
    expect([undefined, allowedOrigin]).toContain(headerOf(response, 'access-control-allow-origin'));
    expect(listOf(headerOf(response, 'vary'))).toEqual(['Origin']);
  });

  it('answers a preflight on a known path with 204, Allow and the CORS headers', async () => {
    const { fallback } = await buildRoutes();
    const response = await invoke(
      fallback,
      apiGatewayEvent({
        method: 'OPTIONS',
        path: '/api/v1/user',
        headers: {
          Origin: allowedOrigin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,x-api-key',
        },
      }),
    );
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(listOf(headerOf(response, 'allow'))).toEqual(['POST', 'OPTIONS']);
    expect(headerOf(response, 'access-control-allow-origin')).toBe(allowedOrigin);
    expect(listOf(headerOf(response, 'access-control-allow-methods'))).toEqual(
      expect.arrayContaining(['POST', 'OPTIONS']),
    );
    expect(headerOf(response, 'access-control-max-age')).toBe('600');
    expectSecurityHeaders(response);
  });

  it('adds no Access-Control-* header at all when CORS_ENABLED=false', async () => {
    const { publicRoute, createUser, fallback } = await buildRoutes({ CORS_ENABLED: 'false' });
    const responses = [
      await invoke(publicRoute, withOrigin(allowedOrigin)),
      await invoke(createUser, postUser({ headers: { Origin: allowedOrigin, 'X-Api-Key': undefined } })),
      await invoke(
        fallback,
        apiGatewayEvent({ method: 'OPTIONS', path: '/health', headers: { Origin: allowedOrigin } }),
      ),
    ];
    expect(responses.map((response) => response.statusCode)).toEqual([200, 401, 204]);
    for (const response of responses) {
      expect(headerNames(response).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      expectSecurityHeaders(response);
    }
  });
});

describe('rejections', () => {
  it('answers malformed JSON with 400 malformed-json', async () => {
    const { createUser } = await buildRoutes();
    const problem = expectProblem(
      await invoke(createUser, postUser({ body: '{"username": "alice",' })),
      400,
      'malformed-json',
    );
    expect(problem.title).toBe('Malformed JSON body');
  });

  it('answers an empty body on a JSON route with 400 malformed-json', async () => {
    const { createUser } = await buildRoutes();
    expectProblem(await invoke(createUser, postUser({ body: null })), 400, 'malformed-json');
  });

  it('answers base64 that is not UTF-8 with 400 malformed-json', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(
      createUser,
      postUser({ body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), isBase64Encoded: true }),
    );
    expectProblem(response, 400, 'malformed-json');
  });

  it.each([
    ['an unknown host', 'evil.test'],
    ['the bare parent of a wildcard', 'example.com'],
    ['a suffix look-alike', 'evilexample.com'],
    ['a path that ends in the suffix', 'evil.example/.example.com'],
    ['a fragment that ends in the suffix', 'evil#.example.com'],
    ['a port spliced into the labels', 'evil:80.example.com'],
    ['an empty label', 'a..example.com'],
    ['userinfo before the host', 'user@api.example.com'],
    ['whitespace inside the host', 'api .example.com'],
    ['a port of 0', 'api.example.com:0'],
    ['a port above 65535', 'api.example.com:70000'],
    ['an empty port', 'api.example.com:'],
    ['a non-numeric port', 'api.example.com:https'],
    ['two ports', 'api.example.com:443:443'],
    ['an underscore in a label', 'a_b.example.com'],
    ['a label that starts with a hyphen', '-a.example.com'],
    ['the API host with a port of 0', `${TEST_HOST}:0`],
  ])('answers %s with 400 untrusted-host', async (_, host) => {
    const { publicRoute } = await buildRoutes();
    expectProblem(
      await invoke(publicRoute, apiGatewayEvent({ headers: { Host: host } })),
      400,
      'untrusted-host',
    );
  });

  it('answers a request without a Host header with 400 untrusted-host when TRUSTED_HOSTS is set', async () => {
    const { publicRoute } = await buildRoutes();
    expectProblem(
      await invoke(publicRoute, apiGatewayEvent({ headers: { Host: undefined } })),
      400,
      'untrusted-host',
    );
  });

  it.each([
    ['the API host with a port', `${TEST_HOST}:443`],
    ['the API host in capitals', TEST_HOST.toUpperCase()],
    ['a subdomain of a wildcard entry', 'api.example.com'],
    ['a deeper subdomain of a wildcard entry', 'eu.api.example.com'],
    ['a wildcard subdomain with the highest port', 'api.example.com:65535'],
    ['a fully qualified name with its trailing dot', 'api.example.com.'],
  ])('admits %s', async (_, host) => {
    const { publicRoute } = await buildRoutes();
    expect((await invoke(publicRoute, apiGatewayEvent({ headers: { Host: host } }))).statusCode).toBe(200);
  });

  it('answers a missing credential with 401 unauthenticated, a bare Bearer challenge and a detail naming both credentials', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(createUser, postUser({ headers: { 'X-Api-Key': undefined } }));
    const problem = expectProblem(response, 401, 'unauthenticated');
    expect(headerOf(response, 'www-authenticate')).toBe('Bearer realm="bulwark"');
    expect(problem.detail).toBe(
      'This route requires an access token (Authorization: Bearer) or an API key in the x-api-key header.',
    );
  });

  it('answers a request carrying both an access token and an API key with 401 invalid-credentials', async () => {
    const { runtime, createUser } = await buildRoutes();
    const { token } = await issueTestAccessToken(runtime);
    const response = await invoke(createUser, postUser({ headers: { Authorization: `Bearer ${token}` } }));
    expectProblem(response, 401, 'invalid-credentials');
    expect(headerOf(response, 'www-authenticate')).toBe('Bearer realm="bulwark", error="invalid_token"');
  });

  it.each([
    ['another scheme', (token: string) => `Basic ${token}`],
    ['a token followed by junk', (token: string) => `Bearer ${token} x`],
    ['a tampered signature', (token: string) => `Bearer ${token.slice(0, -2)}AA`],
  ])('answers an Authorization header with %s with 401 invalid_token', async (_, header) => {
    const { runtime, createUser } = await buildRoutes();
    const { token } = await issueTestAccessToken(runtime);
    const response = await invoke(
      createUser,
      postUser({ headers: { 'X-Api-Key': undefined, Authorization: header(token) } }),
    );
    expectProblem(response, 401, 'invalid-credentials');
    expect(headerOf(response, 'www-authenticate')).toBe('Bearer realm="bulwark", error="invalid_token"');
    expect(JSON.stringify(response)).not.toContain(token);
  });

  it('answers an empty key with 401 unauthenticated', async () => {
    const { createUser } = await buildRoutes();
    expectProblem(
      await invoke(createUser, postUser({ headers: { 'X-Api-Key': '' } })),
      401,
      'unauthenticated',
    );
  });

  it.each([
    ['a wrong key', 'wrong-key-0123456789-abcdefghijklmn'],
    ['the key plus one character', `${TEST_API_KEY}x`],
    ['the key minus its last character', TEST_API_KEY.slice(0, -1)],
    ['the key in another case', TEST_API_KEY.toUpperCase()],
  ])('answers %s with 401 invalid-credentials and never echoes it', async (_, key) => {
    const { createUser } = await buildRoutes();
    const response = await invoke(createUser, postUser({ headers: { 'X-Api-Key': key } }));
    expectProblem(response, 401, 'invalid-credentials');
    expect(headerOf(response, 'www-authenticate')).toBe('Bearer realm="bulwark", error="invalid_token"');
    expect(JSON.stringify(response)).not.toContain(key);
  });

  it('answers an unknown path with 404 through the fallback', async () => {
    const { fallback } = await buildRoutes();
    expectProblem(
      await invoke(fallback, apiGatewayEvent({ method: 'GET', path: '/api/v1/users' })),
      404,
      'not-found',
    );
    expectProblem(
      await invoke(fallback, apiGatewayEvent({ method: 'OPTIONS', path: '/nope' })),
      404,
      'not-found',
    );
  });

  it('answers a known path with another method with 405 and an Allow header', async () => {
    const { fallback } = await buildRoutes();
    const response = await invoke(fallback, apiGatewayEvent({ method: 'GET', path: '/api/v1/user' }));
    const problem = expectProblem(response, 405, 'method-not-allowed');
    expect(listOf(headerOf(response, 'allow'))).toEqual(['POST', 'OPTIONS']);
    expect(problem.detail).toBe('This path accepts POST, OPTIONS.');
  });

  it('answers a plain body one byte over API_BODY_MAX_BYTES with 413', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(createUser, postUser({ body: 'x'.repeat(maxBodyBytes + 1) }));
    const problem = expectProblem(response, 413, 'body-too-large');
    expect(problem.detail).toBe(`The request body exceeds the limit of ${maxBodyBytes} bytes.`);
  });

  it('measures a plain body in UTF-8 bytes, not characters', async () => {
    const { createUser } = await buildRoutes();
    const euros = '€'.repeat(Math.ceil((maxBodyBytes + 1) / 3));
    expect(euros.length).toBeLessThan(maxBodyBytes);
    expectProblem(await invoke(createUser, postUser({ body: euros })), 413, 'body-too-large');
  });

  it('measures a base64 body decoded: one byte over the limit is 413', async () => {
    const { createUser } = await buildRoutes();
    const encoded = Buffer.alloc(maxBodyBytes + 1, 0x20).toString('base64');
    expectProblem(
      await invoke(createUser, postUser({ body: encoded, isBase64Encoded: true })),
      413,
      'body-too-large',
    );
  });

  it('measures a base64 body decoded: exactly the limit passes although its encoding is longer', async () => {
    const { createUser } = await buildRoutes();
    const json = userBody();
    const padded = json + ' '.repeat(maxBodyBytes - Buffer.byteLength(json));
    const encoded = Buffer.from(padded).toString('base64');
    expect(encoded.length).toBeGreaterThan(maxBodyBytes);
    expect((await invoke(createUser, postUser({ body: encoded, isBase64Encoded: true }))).statusCode).toBe(
      201,
    );
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a JSON-like media type', 'application/json-patch+json'],
    ['a charset other than UTF-8', 'application/json; charset=latin1'],
    ['form encoding', 'application/x-www-form-urlencoded'],
  ])('answers %s with 415', async (_, contentType) => {
    const { createUser } = await buildRoutes();
    expectProblem(
      await invoke(createUser, postUser({ headers: { 'Content-Type': contentType } })),
      415,
      'unsupported-media-type',
    );
  });

  it('answers a JSON route without Content-Type with 415', async () => {
    const { createUser } = await buildRoutes();
    expectProblem(
      await invoke(createUser, postUser({ headers: { 'Content-Type': undefined } })),
      415,
      'unsupported-media-type',
    );
  });

  it('answers schema violations with 422 listing JSON pointers and never the rejected values', async () => {
    const { createUser } = await buildRoutes();
    const sentinel = 'SENTINEL-7f3a9c-NEVER-ECHO';
    const response = await invoke(
      createUser,
      postUser({
        body: JSON.stringify({ username: `${sentinel}!`, password: sentinel.slice(0, 5), email: sentinel }),
      }),
    );
    const problem = expectProblem(response, 422, 'validation-failed');
    expect(problem.errors?.map((error) => error.path).sort()).toEqual(['/email', '/password', '/username']);
    expect(JSON.stringify(response)).not.toContain(sentinel);
    expect(JSON.stringify(response)).not.toContain(sentinel.slice(0, 5));
  });

  it('answers "42" for a number field with 422 saying the type, because nothing is coerced', async () => {
    const { quantity } = await buildRoutes();
    const response = await invoke(
      quantity,
      postUser({ path: '/quantity', body: JSON.stringify({ quantity: '42' }) }),
    );
    const problem = expectProblem(response, 422, 'validation-failed');
    expect(problem.errors).toEqual([{ path: '/quantity', message: 'must be of type number' }]);
  });

  it('answers a missing required field with 422 "is required"', async () => {
    const { quantity } = await buildRoutes();
    const response = await invoke(quantity, postUser({ path: '/quantity', body: '{}' }));
    expect(expectProblem(response, 422, 'validation-failed').errors).toEqual([
      { path: '/quantity', message: 'is required' },
    ]);
  });

  it('answers an unknown field with 422 naming it', async () => {
    const { quantity } = await buildRoutes();
    const response = await invoke(
      quantity,
      postUser({ path: '/quantity', body: JSON.stringify({ quantity: 3, isAdmin: true }) }),
    );
    expect(expectProblem(response, 422, 'validation-failed').errors).toEqual([
      { path: '/isAdmin', message: 'is not an allowed field' },
    ]);
  });

  it('answers a handler that throws a plain Error with a generic 500 that reveals nothing of it', async () => {
    const { throwing } = await buildRoutes();
    const response = await invoke(throwing, apiGatewayEvent());
    const problem = expectProblem(response, 500, 'internal-error');
    expect(problem.detail).toBe(
      'The server could not complete the request. Quote the request id when reporting it.',
    );
    const serialized = JSON.stringify(response);
    for (const leak of ['hunter2', 'ECONNREFUSED', thrownMessage, 'Error:', 'stack', 'secure-handler.test']) {
      expect(serialized).not.toContain(leak);
    }
    expect(Object.keys(problem).sort()).toEqual(['detail', 'request_id', 'status', 'title', 'type']);
  });

  it('logs the thrown error server-side at ERROR with the request id', async () => {
    const { runtime, throwing } = await buildRoutes();
    const response = await invoke(throwing, apiGatewayEvent());
    const errors = runtime.logs.entries().filter((entry) => entry.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'request failed',
      status: 500,
      error_name: 'Error',
      request_id: headerOf(response, 'x-request-id'),
    });
  });

  it('answers a DependencyUnavailableError with 503, Retry-After and its own advice, not its cause', async () => {
    const { unavailable } = await buildRoutes();
    const response = await invoke(unavailable, apiGatewayEvent());
    const problem = expectProblem(response, 503, 'service-unavailable');
    expect(headerOf(response, 'retry-after')).toBe('7');
    expect(problem.detail).toBe('A backend this route depends on is unavailable; retry later.');
    expect(JSON.stringify(response)).not.toContain('10.0.0.12');
    expect(JSON.stringify(response)).not.toContain('users-table');
  });
});

describe('the order of the chain', () => {
  it('authenticates before parsing: no key and malformed JSON is 401, not 400', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(
      createUser,
      postUser({ body: '{not json', headers: { 'X-Api-Key': undefined } }),
    );
    expectProblem(response, 401, 'unauthenticated');
  });

  it('authenticates before the media type check: no key and text/plain is 401, not 415', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(
      createUser,
      postUser({ headers: { 'X-Api-Key': undefined, 'Content-Type': 'text/plain' } }),
    );
    expectProblem(response, 401, 'unauthenticated');
  });

  it('authenticates before validating: a wrong key and an unknown field is 401, not 422', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(
      createUser,
      postUser({ headers: { 'X-Api-Key': 'nope' }, body: userBody({ isAdmin: true }) }),
    );
    expectProblem(response, 401, 'invalid-credentials');
  });

  it('limits the body before authenticating: an oversized body without a key is 413 and never reaches the key check', async () => {
    const store = inMemorySecretStore({
      [TEST_SECRET_ARN]: { pepper: TEST_PEPPER },
      [TEST_VERIFICATION_SECRET_ARN]: TEST_VERIFICATION_KEYS,
    });
    const apiKeyStore = testApiKeyStore();
    const runtime = testRuntime(baseEnv, { secretStore: store, apiKeyStore });
    const { createUser } = await buildRoutes({}, runtime);
    const { token } = await issueTestAccessToken(runtime);
    const requestsAfterColdStart = [...store.requests];
    for (const headers of [
      { 'X-Api-Key': undefined },
      { 'X-Api-Key': 'wrong' },
      { 'X-Api-Key': TEST_API_KEY },
      { 'X-Api-Key': undefined, Authorization: `Bearer ${token}` },
    ]) {
      const response = await invoke(createUser, postUser({ headers, body: 'x'.repeat(maxBodyBytes + 1) }));
      expectProblem(response, 413, 'body-too-large');
    }
    expect(store.requests).toEqual(requestsAfterColdStart);
    expect(apiKeyStore.gets()).toBe(0);
  });

  it('checks the host before the body size: an oversized body for an untrusted host is 400', async () => {
    const { createUser } = await buildRoutes();
    const response = await invoke(
      createUser,
      postUser({ headers: { Host: 'evil.test' }, body: 'x'.repeat(maxBodyBytes + 1) }),
    );
    expectProblem(response, 400, 'untrusted-host');
  });
});

describe('the authentication strategy', () => {
  it('lets a required route through with API_AUTH_STRATEGY=disabled and warns on that request', async () => {
    const { runtime, createUser } = await buildRoutes({ API_AUTH_STRATEGY: 'disabled' });
    const response = await invoke(
      createUser,
      postUser({ headers: { 'X-Api-Key': undefined, 'X-Request-Id': 'no-auth-1' } }),
    );
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toEqual({ username: 'alice', principal: 'auth_disabled' });
    const warnings = runtime.logs.entries().filter((entry) => entry.level === 'WARN');
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'authentication disabled: request accepted without a credential',
        request_id: 'no-auth-1',
      }),
    ]);
  });

  const strongPepper = 'Qm9yZWFsaXMtN2YzYTljLWtleS1mb3ItcHJvZHVjdGlvbi0xMjM0';
  // The public half of a key npm start generated: production verifiers must not trust it.
  const developmentVerificationKeys = {
    keys: [{ ...TEST_VERIFICATION_KEYS.keys[0], kid: 'bulwark-dev-0a1b2c3d4e5f' }],
  };
  const production = { ENVIRONMENT: 'production', CORS_ALLOW_ORIGINS: allowedOrigin };

  const buildFailure = async (runtime: TestRuntime): Promise<unknown> =>
    chainOf(runtime, { auth: 'required' }, async () => jsonResponse(200, {})).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );

  it('refuses at cold start in production the unit-test pepper (prefix test-), naming the secret and not its value', async () => {
    const error = await buildFailure(testRuntime(production));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ variable: 'API_KEY_PEPPER_SECRET_ARN' });
    expect(String((error as Error).message)).toContain('API_KEY_PEPPER_SECRET_ARN');
    expect(String((error as Error).message)).not.toContain(TEST_PEPPER);
  });

  it('refuses at cold start in production a verification key whose kid has the development prefix bulwark-dev-', async () => {
    const runtime = testRuntime(production, {
      secretStore: inMemorySecretStore({
        [TEST_SECRET_ARN]: { pepper: strongPepper },
        [TEST_VERIFICATION_SECRET_ARN]: developmentVerificationKeys,
      }),
    });
    const error = await buildFailure(runtime);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ variable: 'JWT_VERIFICATION_KEYS_SECRET_ARN' });
  });

  it('builds in development with the development verification key and the unit-test pepper', async () => {
    const runtime = testRuntime(
      {},
      {
        secretStore: inMemorySecretStore({
          [TEST_SECRET_ARN]: { pepper: TEST_PEPPER },
          [TEST_VERIFICATION_SECRET_ARN]: developmentVerificationKeys,
        }),
      },
    );
    expect(await buildFailure(runtime)).toBeUndefined();
  });

  it('builds in production with a strong pepper and a production signing key, admits a key hashed with that pepper and rejects one hashed with another', async () => {
    const keyId = 'bwk_productionkeyabcdefg';
    const keySecret = 'cHJvZHVjdGlvbi1zZWNyZXQtMDEyMzQ1Njc4OWFiY2Q';
    const [testKeyId = '', testKeySecret = ''] = TEST_API_KEY.split(':');
    const apiKeyStore = inMemoryApiKeyStore([
      apiKeyRecord({
        keyId: testKeyId,
        secret: testKeySecret,
        pepper: TEST_PEPPER,
        name: 'hashed with the test pepper',
        roles: ['admin'],
      }),
      apiKeyRecord({ keyId, secret: keySecret, pepper: strongPepper, name: 'production', roles: ['user'] }),
    ]);

    const runtime = testRuntime(production, {
      apiKeyStore,
      secretStore: inMemorySecretStore({
        [TEST_SECRET_ARN]: { pepper: strongPepper },
        [TEST_VERIFICATION_SECRET_ARN]: TEST_VERIFICATION_KEYS,
      }),
    });
    const handler = await chainOf(runtime, { auth: 'required' }, async ({ principal }) =>
      jsonResponse(200, { id: principal?.id }),
    );
    const admitted = await invoke(
      handler,
      apiGatewayEvent({ headers: { 'X-Api-Key': `${keyId}:${keySecret}` } }),
    );
    expect(admitted.statusCode).toBe(200);
    expect(JSON.parse(admitted.body)).toEqual({ id: keyId });
    expectProblem(
      await invoke(handler, apiGatewayEvent({ headers: { 'X-Api-Key': TEST_API_KEY } })),
      401,
      'invalid-credentials',
    );
    const { token } = await issueTestAccessToken(runtime);
    expect(
      (await invoke(handler, apiGatewayEvent({ headers: { Authorization: `Bearer ${token}` } }))).statusCode,
    ).toBe(200);
  });

  it.each([
    ['API_KEY_PEPPER_SECRET_ARN', 'jwt_or_api_key'],
    ['API_KEY_PEPPER_SECRET_ARN', 'api_key'],
    ['JWT_VERIFICATION_KEYS_SECRET_ARN', 'jwt_or_api_key'],
    ['JWT_VERIFICATION_KEYS_SECRET_ARN', 'jwt'],
  ])(
    'fails at cold start, naming the variable, when a required route has no %s (strategy %s)',
    async (variable, strategy) => {
      const runtime = testRuntime({ [variable]: '', API_AUTH_STRATEGY: strategy });
      await expect(
        chainOf(runtime, { auth: 'required' }, async () => jsonResponse(200, {})),
      ).rejects.toMatchObject({ name: 'ConfigurationError', variable });
    },
  );

  it('builds with API_AUTH_STRATEGY=api_key without verification keys and then ignores a bearer token (401 unauthenticated)', async () => {
    const runtime = testRuntime({
      ...baseEnv,
      JWT_VERIFICATION_KEYS_SECRET_ARN: '',
      API_AUTH_STRATEGY: 'api_key',
    });
    const handler = await chainOf(runtime, { auth: 'required' }, async () => jsonResponse(200, {}));
    const { token } = await issueTestAccessToken(testRuntime(baseEnv));
    const response = await invoke(
      handler,
      apiGatewayEvent({ headers: { Authorization: `Bearer ${token}` } }),
    );
    expectProblem(response, 401, 'unauthenticated');
    expect(headerOf(response, 'www-authenticate')).toBe('Bearer realm="bulwark"');
    expect(
      (await invoke(handler, apiGatewayEvent({ headers: { 'X-Api-Key': TEST_API_KEY } }))).statusCode,
    ).toBe(200);
  });

  it('with API_AUTH_STRATEGY=jwt builds without a pepper and answers an API key as a missing credential', async () => {
    const runtime = testRuntime({ ...baseEnv, API_KEY_PEPPER_SECRET_ARN: '', API_AUTH_STRATEGY: 'jwt' });
    const handler = await chainOf(runtime, { auth: 'required' }, async () => jsonResponse(200, {}));
    const response = await invoke(handler, apiGatewayEvent({ headers: { 'X-Api-Key': TEST_API_KEY } }));
    const problem = expectProblem(response, 401, 'unauthenticated');
    expect(problem.detail).toBe('This route requires an access token in the Authorization header.');
    const { token } = await issueTestAccessToken(runtime);
    expect(
      (await invoke(handler, apiGatewayEvent({ headers: { Authorization: `Bearer ${token}` } }))).statusCode,
    ).toBe(200);
  });
});
