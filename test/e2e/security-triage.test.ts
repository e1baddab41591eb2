/**
 * The API security runbook's triage (docs/runbooks/api-security.md), reproduced over real HTTP against
 * `npm start` (scripts/local-stack.ts) running as a child process on the run's DynamoDB Local.
 */
import { stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalStack,
  type LogEntry,
  startLocalStacks,
  waitForLogs,
} from '../support/local-stack-process.js';

const allowedOrigin = 'https://app.example.com';
const bodyMaxBytes = 1024;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const validPassword = 'correct horse battery staple';

let main: LocalStack;
let hosts: LocalStack;

/** Starts both stacks at once; if one fails, the other is stopped before the error surfaces. */
beforeAll(async () => {
  [main, hosts] = (await startLocalStacks(
    {
      API_BODY_MAX_BYTES: String(bodyMaxBytes),
      CORS_ALLOW_ORIGINS: allowedOrigin,
      API_TRUST_PROXY_HOPS: '1',
      PASSWORD_BCRYPT_COST: '10',
    },
    { TRUSTED_HOSTS: 'api.example.com', PASSWORD_BCRYPT_COST: '10' },
  )) as [LocalStack, LocalStack];
});

afterAll(async () => {
  await Promise.all([main?.stop(), hosts?.stop()]);
});

type Headers = Readonly<Record<string, string | undefined>>;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

const headersOf = (response: Response): Headers => Object.fromEntries(response.headers.entries());

const send = async (
  stack: LocalStack,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> => {
  const response = await fetch(`${stack.baseUrl}${path}`, init);
  return { status: response.status, headers: headersOf(response), text: await response.text() };
};

/** node:http, because fetch does not let a caller choose the Host header. */
const sendRaw = (
  stack: LocalStack,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const request = httpRequest(`${stack.baseUrl}${path}`, { method, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: flatten(response.headers), text }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });

const flatten = (headers: IncomingHttpHeaders): Headers =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
  );

const postUser = (body: string, headers: Record<string, string> = {}): Promise<Answer> =>
  send(main, '/api/v1/user', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': main.apiKey, ...headers },
    body,
  });

const expectSecurityHeaders = (headers: Headers): void => {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['cache-control']).toBe('no-store');
};

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id: string;
  errors?: { path: string; message: string }[];
}

/** The runbook's promise: every rejection is problem+json with a stable type and the request id. */
const expectProblem = (answer: Answer, status: number, code: string): Problem => {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expectSecurityHeaders(answer.headers);
  const problem = JSON.parse(answer.text) as Problem;
  expect(problem).toMatchObject({ type: `urn:bulwark:problem:${code}`, status });
  expect(problem.request_id).toBe(answer.headers['x-request-id']);
  return problem;
};

/** The first log line matching `matches`, waiting for it to arrive. */
const waitForLog = async (stack: LocalStack, matches: (entry: LogEntry) => boolean): Promise<LogEntry> =>
  (await waitForLogs(stack, matches))[0] as LogEntry;

describe('local stack bootstrap', () => {
  it('writes bootstrap.json with mode 0600 holding the base URL, the admin user and the admin API key it serves', async () => {
    const file = join(main.localDir, 'bootstrap.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(main.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(main.apiKey).toMatch(/^bwk_[a-z2-7]{20}:[A-Za-z0-9_-]{43}$/);
    expect(main.admin.username).toBe('admin');
    expect(main.admin.password.length).toBeGreaterThanOrEqual(20);
    const health = await send(main, '/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
    expectSecurityHeaders(health.headers);
  });
});

describe('401: authentication', () => {
  it('answers a request without a credential with an unauthenticated problem and a bare Bearer challenge', async () => {
    const answer = await send(main, '/api/v1/user', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'triage-nokey', password: validPassword }),
    });
    const problem = expectProblem(answer, 401, 'unauthenticated');
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="bulwark"');
    expect(problem.detail).toBe(
      'This route requires an access token (Authorization: Bearer) or an API key in the x-api-key header.',
    );
  });

  it('answers a wrong key with an invalid-credentials problem that never echoes the key', async () => {
    const wrongKey = 'wrong-key-7f3a9c2e5b1d4e6f8a0b';
    const answer = await postUser(JSON.stringify({ username: 'triage-wrongkey', password: validPassword }), {
      'x-api-key': wrongKey,
    });
    expectProblem(answer, 401, 'invalid-credentials');
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="bulwark", error="invalid_token"');
    const everything = `${JSON.stringify(answer.headers)}\n${answer.text}`;
    expect(everything).not.toContain(wrongKey);
    expect(everything).not.toContain(main.apiKey);
  });
});

describe('POST /api/v1/user', () => {
  it('creates a user with the key and a valid body, answering 201 without the password or its hash', async () => {
    const answer = await postUser(
      JSON.stringify({ username: 'triage-alice', password: validPassword, email: 'alice@example.com' }),
    );
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toBe('application/json');
    expectSecurityHeaders(answer.headers);
    const user = JSON.parse(answer.text) as Record<string, unknown>;
    expect(Object.keys(user).sort()).toEqual(['created_at', 'disabled', 'email', 'id', 'roles', 'username']);
    expect(user).toMatchObject({ username: 'triage-alice', email: 'alice@example.com', roles: ['user'] });
    expect(user.id).toMatch(uuid);
    expect(answer.text).not.toContain(validPassword);
    expect(answer.text).not.toMatch(/\$2[aby]\$/);
  });

  it('answers 409 user-already-exists for a username that is taken', async () => {
    const body = JSON.stringify({ username: 'triage-duplicate', password: validPassword });
    expect((await postUser(body)).status).toBe(201);
    expectProblem(await postUser(body), 409, 'user-already-exists');
  });

  it('answers 413 body-too-large for a body over API_BODY_MAX_BYTES', async () => {
    const body = JSON.stringify({ username: 'triage-big', password: validPassword, pad: 'x'.repeat(1100) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(bodyMaxBytes);
    const problem = expectProblem(await postUser(body), 413, 'body-too-large');
    expect(problem.detail).toContain(String(bodyMaxBytes));
  });

  it('answers 415 unsupported-media-type for a text/plain body', async () => {
    const answer = await postUser(JSON.stringify({ username: 'triage-text', password: validPassword }), {
      'content-type': 'text/plain',
    });
    expectProblem(answer, 415, 'unsupported-media-type');
  });

  it('answers 400 malformed-json for a body that is not JSON', async () => {
    expectProblem(await postUser('{"username": "triage-broken",'), 400, 'malformed-json');
  });

  it('answers 422 validation-failed naming an unknown field, so mass assignment is refused', async () => {
    const answer = await postUser(
      JSON.stringify({ username: 'triage-mass', password: validPassword, isAdmin: true }),
    );
    const problem = expectProblem(answer, 422, 'validation-failed');
    expect(problem.errors).toEqual([{ path: '/isAdmin', message: 'is not an allowed field' }]);
  });

  it('answers 422 naming the expected type for a number sent as the username, instead of coercing it', async () => {
    const answer = await postUser(JSON.stringify({ username: 42, password: validPassword }));
    const problem = expectProblem(answer, 422, 'validation-failed');
    expect(problem.errors).toEqual([{ path: '/username', message: 'must be of type string' }]);
  });

  it('answers 422 with exactly one type error for a string sent as the roles list', async () => {
    const answer = await postUser(
      JSON.stringify({ username: 'triage-roles', password: validPassword, roles: 'admin' }),
    );
    const problem = expectProblem(answer, 422, 'validation-failed');
    expect(problem.errors).toEqual([{ path: '/roles', message: 'must be of type array' }]);
  });

  it('refuses a password sent as a number that would be a valid password if coerced, storing nothing', async () => {
    const answer = await postUser(JSON.stringify({ username: 'triage-coerce', password: 123456789012 }));
    const problem = expectProblem(answer, 422, 'validation-failed');
    expect(problem.errors?.map((error) => error.path)).toEqual(['/password']);
    const retry = await postUser(JSON.stringify({ username: 'triage-coerce', password: validPassword }));
    expect(retry.status).toBe(201);
  });

  it('refuses a 40-character password of 80 UTF-8 bytes with 422 and stores nothing truncated', async () => {
    const tooLong = 'é'.repeat(40);
    expect(Buffer.byteLength(tooLong, 'utf8')).toBe(80);
    const answer = await postUser(JSON.stringify({ username: 'triage-multibyte', password: tooLong }));
    const problem = expectProblem(answer, 422, 'validation-failed');
    expect(problem.errors).toEqual([{ path: '/password', message: 'must be at most 72 bytes in UTF-8' }]);
    expect(answer.text).not.toContain(tooLong);
    // Nothing was stored: the username is still free, and exactly 72 bytes is accepted.
    const atLimit = await postUser(
      JSON.stringify({ username: 'triage-multibyte', password: 'é'.repeat(36) }),
    );
    expect(atLimit.status).toBe(201);
  });
});

describe('404 and 405 from the route fallback', () => {
  it('answers 404 not-found for an unknown path', async () => {
    expectProblem(await send(main, '/api/v1/nothing-here'), 404, 'not-found');
  });

  it("answers 405 method-not-allowed with an Allow header listing the route's method", async () => {
    for (const method of ['GET', 'DELETE']) {
      const answer = await send(main, '/api/v1/user', { method });
      expectProblem(answer, 405, 'method-not-allowed');
      const allowed = (answer.headers.allow ?? '').split(',').map((token) => token.trim());
      expect(allowed).toContain('POST');
      expect(allowed).not.toContain(method);
    }
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    send(main, '/api/v1/user', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-api-key',
      },
    });

  it('answers a preflight from an allowed origin with 204 and the allowed headers, without a key', async () => {
    const answer = await preflight(allowedOrigin);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(answer.headers['access-control-allow-origin']).toBe(allowedOrigin);
    const allowHeaders = (answer.headers['access-control-allow-headers'] ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase());
    expect(allowHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-api-key']));
    expect(answer.headers['access-control-allow-methods']).toMatch(/\bPOST\b/);
    expect(answer.headers.vary).toMatch(/\bOrigin\b/);
    expect(answer.headers['www-authenticate']).toBeUndefined();
    expectSecurityHeaders(answer.headers);
  });

  it('gives a preflight from another origin, or from origin null, no Access-Control-Allow-Origin', async () => {
    for (const origin of ['https://evil.example.com', 'null']) {
      const answer = await preflight(origin);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expectSecurityHeaders(answer.headers);
    }
  });

  it('lets an allowed origin read error responses too, so the browser shows the real problem', async () => {
    const answer = await send(main, '/api/v1/user', {
      method: 'POST',
      headers: { origin: allowedOrigin, 'content-type': 'application/json' },
      body: '{}',
    });
    expectProblem(answer, 401, 'unauthenticated');
    expect(answer.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(answer.headers['access-control-expose-headers']).toMatch(/\bx-request-id\b/);
  });
});

describe('request ids', () => {
  it('echoes a safe inbound x-request-id in the header and the problem body', async () => {
    const inbound = 'triage-42.A_b';
    const answer = await send(main, '/api/v1/user', { method: 'POST', headers: { 'x-request-id': inbound } });
    const problem = expectProblem(answer, 401, 'unauthenticated');
    expect(answer.headers['x-request-id']).toBe(inbound);
    expect(problem.request_id).toBe(inbound);
  });

  it('replaces an over-long or unsafe inbound x-request-id with a generated one', async () => {
    for (const inbound of ['a'.repeat(200), 'bad id!', 'x;y=<z>']) {
      const answer = await send(main, '/api/v1/user', {
        method: 'POST',
        headers: { 'x-request-id': inbound },
      });
      const problem = expectProblem(answer, 401, 'unauthenticated');
      expect(answer.headers['x-request-id']).toMatch(uuid);
      expect(problem.request_id).toBe(answer.headers['x-request-id']);
      expect(answer.text).not.toContain(inbound);
    }
  });

  it('generates a request id for a success that carried none', async () => {
    const answer = await send(main, '/health');
    expect(answer.headers['x-request-id']).toMatch(uuid);
  });
});

describe('TRUSTED_HOSTS', () => {
  it('serves a request whose Host is trusted, with or without a port', async () => {
    for (const host of ['api.example.com', 'API.example.com:443']) {
      const answer = await sendRaw(hosts, '/health', { host });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ status: 'ok' });
      expectSecurityHeaders(answer.headers);
    }
  });

  it('answers 400 untrusted-host for any other Host', async () => {
    for (const host of ['evil.example.com', 'api.example.com.evil.example.com', '127.0.0.1']) {
      expectProblem(await sendRaw(hosts, '/health', { host }), 400, 'untrusted-host');
    }
  });

  it('checks the Host before authentication on protected routes', async () => {
    const answer = await sendRaw(
      hosts,
      '/api/v1/user',
      { host: 'evil.example.com', 'x-api-key': hosts.apiKey, 'content-type': 'application/json' },
      'POST',
    );
    expectProblem(answer, 400, 'untrusted-host');
  });
});

describe('API_TRUST_PROXY_HOPS=1', () => {
  it('answers normally whatever X-Forwarded-For a client forges', async () => {
    const forged = [
      '203.0.113.9, 198.51.100.7',
      'not-an-ip',
      '<script>alert(1)</script>, ../../etc/passwd',
      Array.from({ length: 300 }, (_, index) => `10.0.${index % 256}.1`).join(', '),
      ', , ,',
    ];
    // OPTIONS runs the whole chain (client IP included) but is never rate limited, so the health
    // route's 5/minute budget cannot turn these into 429s.
    for (const value of forged) {
      const answer = await send(main, '/health', {
        method: 'OPTIONS',
        headers: { 'x-forwarded-for': value },
      });
      expect(answer.status).toBe(204);
      expectSecurityHeaders(answer.headers);
    }
    const invalid = await send(main, '/health', {
      method: 'OPTIONS',
      headers: { 'x-forwarded-for': 'not-an-ip', 'x-request-id': 'xff-invalid-1' },
    });
    expect(invalid.status).toBe(204);
    await waitForLog(
      main,
      (entry) =>
        entry.request_id === 'xff-invalid-1' &&
        entry.message === 'trust proxy hops configured but X-Forwarded-For entry is invalid',
    );
    expect(main.logs()).not.toContain('handler failed');
  });

  it('logs the runbook warning when X-Forwarded-For is missing', async () => {
    const answer = await send(main, '/health', {
      method: 'OPTIONS',
      headers: { 'x-request-id': 'xff-missing-1' },
    });
    expect(answer.status).toBe(204);
    const entry = await waitForLog(main, (line) => line.request_id === 'xff-missing-1');
    expect(entry).toMatchObject({
      level: 'WARN',
      message: 'trust proxy hops configured but X-Forwarded-For is missing',
      trust_proxy_hops: 1,
    });
  });
});

describe('server logs', () => {
  it('never write the admin API key, the admin password, tokens or a wrong key presented by a client', async () => {
    const wrongKey = 'wrong-key-for-log-check-91c4e7';
    const [adminKeyId = '', adminKeySecret = ''] = main.apiKey.split(':');
    await postUser(JSON.stringify({ username: 'triage-logs', password: validPassword }), {
      'x-request-id': 'log-check-ok',
    });
    await postUser(JSON.stringify({ username: 'triage-logs-2', password: validPassword }), {
      'x-api-key': wrongKey,
      'x-request-id': 'log-check-wrong',
    });
    // The admin's key id with another secret: a well-formed key that fails on its secret.
    const wrongSecret = `${adminKeyId}:${'Z'.repeat(43)}`;
    await postUser(JSON.stringify({ username: 'triage-logs-3', password: validPassword }), {
      'x-api-key': wrongSecret,
      'x-request-id': 'log-check-wrong-secret',
    });
    const login = await send(main, '/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-check-login' },
      body: JSON.stringify(main.admin),
    });
    expect(login.status).toBe(200);
    const tokens = JSON.parse(login.text) as { access_token: string; refresh_token: string };
    const me = await send(main, '/api/v1/user/me', {
      headers: { authorization: `Bearer ${tokens.access_token}`, 'x-request-id': 'log-check-me' },
    });
    expect(me.status).toBe(200);
    const refreshed = await send(main, '/auth/token/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-check-refresh' },
      body: JSON.stringify({ refresh_token: tokens.refresh_token }),
    });
    expect(refreshed.status).toBe(200);
    const failedLogin = await send(main, '/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-check-login-wrong' },
      body: JSON.stringify({ username: main.admin.username, password: `${main.admin.password}-wrong` }),
    });
    expect(failedLogin.status).toBe(401);
    await postUser('not json', { 'x-request-id': 'log-check-last' });
    for (const id of ['log-check-wrong', 'log-check-wrong-secret', 'log-check-login', 'log-check-last'])
      await waitForLog(main, (entry) => entry.request_id === id);

    const logs = main.logs();
    expect(logs).not.toContain(wrongKey);
    expect(logs).not.toContain('Z'.repeat(43));
    expect(logs).not.toContain(validPassword);
    expect(logs).not.toContain(tokens.access_token.split('.')[2]);
    expect(logs).not.toContain(tokens.refresh_token.split('.')[1]);
    // The start-up banner of `npm start` prints the admin password and the development key once for the
    // developer; no other line (in particular none written while serving requests) may contain them.
    const passwordBanner = `  Admin user: ${main.admin.username} / ${main.admin.password}`;
    const keyBanner = `  Admin API key (header x-api-key): ${main.apiKey}`;
    const lines = logs.split('\n');
    expect(lines.filter((line) => line === passwordBanner)).toHaveLength(1);
    expect(lines.filter((line) => line === keyBanner)).toHaveLength(1);
    const leaks = lines.filter(
      (line) =>
        (line.includes(adminKeySecret) || line.includes(main.admin.password)) &&
        line !== passwordBanner &&
        line !== keyBanner,
    );
    expect(leaks).toEqual([]);
  });
});
