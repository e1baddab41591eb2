/**
 * Fuzzing the security chain with fast-check: whatever a client sends (method, path, headers, body,
 * base64 flag), the chain never answers 5xx, every rejection is a complete problem+json with the
 * security headers and a request id, and no response carries a secret taken from the request body.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SecureHandler } from '../../../shared/chain/create-secure-handler.js';
import { createUserInput } from '../../../shared/domain/users/create-user-input.js';
import { jsonResponse } from '../../../shared/http/json-response.js';
import { chainOf } from '../../support/test-chain.js';
import {
  apiGatewayEvent,
  lambdaContext,
  TEST_API_KEY,
  TEST_HOST,
  testRuntime,
} from '../../support/test-runtime.js';
import { expectSecurityHeaders, fallbackHandler, headerOf } from './chain-fixtures.js';

const maxBodyBytes = 2048;
const numRuns = 300;

// ---------------------------------------------------------------------------------------------------
// Arbitraries

const sentinelArb = fc.stringMatching(/^[a-z0-9]{12}$/).map((suffix) => `SENTINEL${suffix}`);

const methodArb = fc.oneof(
  { arbitrary: fc.constant('OPTIONS'), weight: 2 },
  fc.constantFrom(
    'GET',
    'POST',
    'PUT',
    'PATCH',
    'DELETE',
    'OPTIONS',
    'HEAD',
    'TRACE',
    'CONNECT',
    'get',
    'Post',
  ),
  fc.string({ maxLength: 12 }),
);

const pathArb = fc.oneof(
  { arbitrary: fc.constantFrom('/health', '/api/v1/user'), weight: 3 },
  fc.constantFrom(
    '/health',
    '/api/v1/user',
    '/api/v1/user/',
    '//api//v1//user',
    '/',
    '',
    '/api/v1/../v1/user',
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/health',
    '/api/v1/user%00',
    '/héalth/ünïcödé/😀',
    '/api/v1/{proxy+}',
  ),
  fc.webPath(),
  fc.string({ unit: 'grapheme', maxLength: 80 }).map((rest) => `/${rest}`),
  fc.integer({ min: 1_000, max: 12_000 }).map((length) => `/${'a/'.repeat(length / 2)}`),
);

const casingArb = (name: string) =>
  fc.constantFrom(
    name,
    name.toUpperCase(),
    name.replace(/(^|-)([a-z])/g, (_, dash, c: string) => dash + c.toUpperCase()),
  );

const headerValueArb = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 40 }));

const absent = fc.constant(undefined);
const often = <T>(value: T, ...others: fc.Arbitrary<T | undefined>[]) =>
  fc.oneof({ arbitrary: fc.constant(value), weight: others.length * 2 }, ...others);

/** Weighted so that a good share of runs passes each check and reaches the next one. */
const interestingHeaderArb = fc.record({
  requestId: fc.oneof(
    absent,
    fc.stringMatching(/^[A-Za-z0-9._-]{1,128}$/),
    fc.string({ maxLength: 200 }),
    fc.constant('abc\r\nSet-Cookie: x=1'),
    fc.constant('x'.repeat(129)),
  ),
  origin: fc.oneof(
    absent,
    fc.constantFrom('https://app.example.com', 'null', 'https://evil.example', 'https://app.example.com/'),
    fc.webUrl(),
    headerValueArb,
  ),
  contentType: often<string>(
    'application/json',
    absent,
    fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/xml', ''),
    headerValueArb,
  ),
  host: often<string>(TEST_HOST, absent, fc.constant(`${TEST_HOST}:443`), fc.domain(), headerValueArb),
  forwardedFor: fc.oneof(
    absent,
    fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), headerValueArb), { maxLength: 4 }).map((ips) => ips.join(', ')),
    headerValueArb,
  ),
  apiKey: often<string>(
    TEST_API_KEY,
    absent,
    fc.constant(''),
    headerValueArb,
    fc.string({ minLength: 500, maxLength: 600 }),
  ),
});

const headersArb = fc
  .tuple(
    interestingHeaderArb,
    fc.dictionary(fc.stringMatching(/^[A-Za-z0-9-]{1,24}$/), headerValueArb, { maxKeys: 6 }),
    casingArb('x-request-id'),
    casingArb('origin'),
    casingArb('content-type'),
    casingArb('host'),
    casingArb('x-forwarded-for'),
    casingArb('x-api-key'),
  )
  .map(([interesting, random, requestIdName, originName, contentTypeName, hostName, xffName, apiKeyName]) => {
    const headers: Record<string, string | undefined> = { ...random };
    const set = (name: string, value: string | undefined) => {
      if (value !== undefined) headers[name] = value;
    };
    set(requestIdName, interesting.requestId);
    set(originName, interesting.origin);
    set(contentTypeName, interesting.contentType);
    // The builder sends API Gateway's `Host`; another spelling replaces it, and no value removes it.
    if (hostName !== 'Host') headers.Host = undefined;
    set(hostName, interesting.host);
    set(xffName, interesting.forwardedFor);
    set(apiKeyName, interesting.apiKey);
    return headers;
  });

/** Stands for the run's sentinel in generated bodies; replaced when the event is built. */
const sentinel = '\u0000sentinel\u0000';

const validUserBodyArb = fc
  .record(
    {
      username: fc.stringMatching(/^[a-z0-9._-]{3,64}$/),
      password: fc.constant(`${sentinel}-long-enough-password`),
      email: fc.constantFrom('alice@example.com', 'ops+bulwark@example.org'),
      roles: fc.constantFrom(['user'], ['admin'], ['user', 'admin']),
    },
    { requiredKeys: ['username', 'password'] },
  )
  .map((value) => JSON.stringify(value));

/** A body with the sentinel in secret places only (password and the values of extra fields). */
const bodyArb = fc.oneof(
  { arbitrary: validUserBodyArb, weight: 6 },
  fc.constant(null),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        username: fc.oneof(fc.stringMatching(/^[a-z0-9._-]{3,20}$/), fc.string({ maxLength: 70 })),
        password: fc.oneof(
          fc.constant(sentinel),
          fc.constant(`${sentinel}-long-enough-password`),
          fc.constant(`${sentinel}${'€'.repeat(30)}`),
          fc.constant(`${sentinel}1`),
        ),
        email: fc.oneof(fc.emailAddress(), fc.constant(sentinel)),
        roles: fc.oneof(
          fc.constant(['user']),
          fc.constant([sentinel]),
          fc.constant(sentinel),
          fc.constant([]),
        ),
        extra: fc.constant(sentinel),
        nested: fc.constant({ token: sentinel, list: [sentinel, 1, null] }),
      },
      { requiredKeys: ['password'] },
    )
    .map((value) => JSON.stringify(value)),
  fc
    .integer({ min: maxBodyBytes + 1, max: maxBodyBytes * 3 })
    .map((size) => JSON.stringify({ password: sentinel, pad: 'p'.repeat(size) })),
);

// Built once: fc.chain would rebuild these (costly) arbitraries for every run.
const requestArb = fc.record({
  sentinel: sentinelArb,
  method: methodArb,
  path: pathArb,
  headers: headersArb,
  bodyTemplate: bodyArb,
  base64: often<'plain' | 'encoded' | 'flag-on-plain-text'>(
    'plain',
    fc.constant('encoded'),
    fc.constant('flag-on-plain-text'),
  ),
});

type FuzzRequest = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

const eventOf = (request: FuzzRequest) => {
  const body =
    request.bodyTemplate?.replaceAll(JSON.stringify(sentinel).slice(1, -1), request.sentinel) ?? null;
  const encoded =
    request.base64 === 'encoded' && body !== null ? Buffer.from(body, 'utf8').toString('base64') : body;
  return apiGatewayEvent({
    method: request.method,
    path: request.path,
    headers: request.headers,
    body: encoded,
    isBase64Encoded: request.base64 !== 'plain',
  });
};

// ---------------------------------------------------------------------------------------------------
// The invariants

const expectSafeResponse = (response: APIGatewayProxyResult, request: FuzzRequest): void => {
  expect(response.statusCode).toBeGreaterThanOrEqual(200);
  expect(response.statusCode).toBeLessThan(500);
  expectSecurityHeaders(response);
  if (response.statusCode >= 400) {
    expect(headerOf(response, 'content-type')).toBe('application/problem+json');
    const problem = JSON.parse(response.body) as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: expect.stringMatching(/^urn:bulwark:problem:[a-z-]+$/),
      title: expect.any(String),
      status: response.statusCode,
      detail: expect.any(String),
      request_id: headerOf(response, 'x-request-id'),
    });
  }
  expect(response.body).not.toContain(request.sentinel);
  expect(JSON.stringify(response.headers)).not.toContain(request.sentinel);
};

describe('the security chain under random requests', () => {
  const env = {
    CORS_ALLOW_ORIGINS: 'https://app.example.com',
    API_BODY_MAX_BYTES: String(maxBodyBytes),
    TRUSTED_HOSTS: `${TEST_HOST},*.example.com`,
    API_TRUST_PROXY_HOPS: '1',
    // The real fallback is rate limited; its budget here is out of the fuzz's reach, so every status
    // the property sees comes from the chain's other checks.
    API_RATE_LIMIT_REQUESTS: '1000000',
  };
  let createUser: SecureHandler;
  let publicRoute: SecureHandler;
  let fallback: SecureHandler;

  beforeAll(async () => {
    const runtime = testRuntime(env);
    createUser = await chainOf(runtime, { auth: 'required', body: createUserInput }, async ({ body }) =>
      jsonResponse(201, { username: body.username }),
    );
    publicRoute = await chainOf(runtime, { auth: 'public' }, async ({ clientIp }) =>
      jsonResponse(200, { ok: true, clientIpLength: clientIp.length }),
    );
    fallback = await fallbackHandler(runtime);
  });

  it('never answers 5xx, and answers every rejection with a complete problem: JSON route with auth', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const response = await createUser(eventOf(request), lambdaContext());
        expectSafeResponse(response, request);
        statuses.add(response.statusCode);
      }),
      { numRuns },
    );
    // The fuzz must get past every check, or it proves nothing about the later ones.
    expect([...statuses].sort()).toEqual(expect.arrayContaining([201, 400, 401, 413, 415, 422]));
  });

  it('never answers 5xx, and answers every rejection with a complete problem: public route', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const response = await publicRoute(eventOf(request), lambdaContext());
        expectSafeResponse(response, request);
        expect([200, 400, 413]).toContain(response.statusCode);
        statuses.add(response.statusCode);
      }),
      { numRuns },
    );
    expect([...statuses].sort()).toEqual([200, 400, 413]);
  });

  it('never answers 5xx, and answers every rejection with a complete problem: route fallback', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const response = await fallback(eventOf(request), lambdaContext());
        expectSafeResponse(response, request);
        expect([204, 400, 404, 405, 413]).toContain(response.statusCode);
        if (response.statusCode === 204) expect(request.method).toBe('OPTIONS');
        statuses.add(response.statusCode);
      }),
      { numRuns },
    );
    expect([...statuses].sort()).toEqual(expect.arrayContaining([204, 400, 404, 405, 413]));
  });

  it('admits a valid create-user request whatever other headers come with it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.stringMatching(/^[A-Za-z0-9-]{1,24}$/), headerValueArb, { maxKeys: 6 }),
        fc.stringMatching(/^[a-z0-9._-]{3,64}$/),
        async (noise, username) => {
          const headers: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(noise)) {
            if (!['host', 'x-api-key', 'content-type'].includes(name.toLowerCase())) headers[name] = value;
          }
          const response = await createUser(
            apiGatewayEvent({
              method: 'POST',
              path: '/api/v1/user',
              headers: { ...headers, 'Content-Type': 'application/json', 'X-Api-Key': TEST_API_KEY },
              body: JSON.stringify({ username, password: 'correct horse battery staple' }),
            }),
            lambdaContext(),
          );
          expect(response.statusCode).toBe(201);
          expect(JSON.parse(response.body)).toEqual({ username });
          expectSecurityHeaders(response);
        },
      ),
      { numRuns: 100 },
    );
  });
});
