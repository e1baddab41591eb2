/**
 * Authentication over real HTTP against `npm start` (scripts/local-stack.ts) as a child process: login,
 * refresh rotation and reuse detection, logout, forged access tokens, the JWKS, and API keys with their
 * roles, revocation and rate limits.
 *
 * Two stacks, both trusting one proxy hop so each test plays its own client IP through X-Forwarded-For
 * (the login throttle counts failures per client IP too, and public routes are limited per IP):
 * - `main`: the defaults, except bcrypt cost 10 to keep logins quick;
 * - `tight`: a 1 s refresh grace window and a route limit of 5 per minute, for replay after the grace
 *   window and for proving that an `unlimited` key goes past a limit that stops other keys; a 60 s
 *   secret cache TTL, which the JWKS's max-age follows.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CryptoKey,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRuntimeConfig } from '../../shared/config/runtime-config.js';
import { type LocalStack, startLocalStacks, waitForLogs } from '../support/local-stack-process.js';

let main: LocalStack;
let tight: LocalStack;

beforeAll(async () => {
  const common = { PASSWORD_BCRYPT_COST: '10', API_TRUST_PROXY_HOPS: '1' };
  [main, tight] = (await startLocalStacks(common, {
    ...common,
    REFRESH_REUSE_GRACE_SECONDS: '1',
    API_RATE_LIMIT_REQUESTS: '5',
    API_RATE_LIMIT_WINDOW_SECONDS: '60',
    SECRETS_CACHE_TTL_SECONDS: '60',
  })) as [LocalStack, LocalStack];
});

afterAll(async () => {
  await Promise.all([main?.stop(), tight?.stop()]);
});

// ---------------------------------------------------------------------------------------------------
// HTTP helpers

type Headers = Readonly<Record<string, string>>;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id: string;
  errors?: { path: string; message: string }[];
}

interface TokenPair {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
}

interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** Serialised as JSON with content-type application/json. */
  readonly json?: unknown;
}

let nextClient = 10;
/** A client IP of its own (the stacks trust one hop, so the rightmost X-Forwarded-For entry is the IP). */
const newClientIp = (): string => {
  nextClient += 1;
  return `198.51.100.${nextClient}`;
};

const call = async (
  stack: LocalStack,
  path: string,
  clientIp: string,
  options: RequestOptions = {},
): Promise<Answer> => {
  const headers: Record<string, string> = { 'x-forwarded-for': clientIp, ...options.headers };
  if (options.json !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
    headers,
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    text: await response.text(),
  };
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const apiKey = (key: string) => ({ 'x-api-key': key });

const jsonOf = <T>(answer: Answer): T => {
  expect(answer.headers['content-type']).toBe('application/json');
  return JSON.parse(answer.text) as T;
};

const expectProblem = (answer: Answer, status: number, code: string): Problem => {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.headers['cache-control']).toBe('no-store');
  const problem = JSON.parse(answer.text) as Problem;
  expect(problem).toMatchObject({ type: `urn:bulwark:problem:${code}`, status });
  expect(problem.request_id).toBe(answer.headers['x-request-id']);
  return problem;
};

const INVALID_TOKEN = 'Bearer realm="bulwark", error="invalid_token"';

/** 401 invalid-credentials with the RFC 6750 challenge for a presented but refused credential. */
const expectInvalidToken = (answer: Answer): Problem => {
  const problem = expectProblem(answer, 401, 'invalid-credentials');
  expect(answer.headers['www-authenticate']).toBe(INVALID_TOKEN);
  return problem;
};

const logIn = async (
  stack: LocalStack,
  clientIp: string,
  credentials: { username: string; password: string },
): Promise<TokenPair> => {
  const { username, password } = credentials;
  const answer = await call(stack, '/auth/login', clientIp, { json: { username, password } });
  expect(answer.status, answer.text).toBe(200);
  return jsonOf<TokenPair>(answer);
};

const refresh = (stack: LocalStack, clientIp: string, refreshToken: string): Promise<Answer> =>
  call(stack, '/auth/token/refresh', clientIp, { json: { refresh_token: refreshToken } });

const me = (stack: LocalStack, clientIp: string, headers: Record<string, string>): Promise<Answer> =>
  call(stack, '/api/v1/user/me', clientIp, { headers });

let nextUser = 0;
/** Creates a user with the admin API key; each test gets fresh ones, so throttle streaks do not mix. */
const createUser = async (
  stack: LocalStack,
  password: string,
  roles: readonly string[] = ['user'],
): Promise<{ username: string; password: string; id: string }> => {
  nextUser += 1;
  const username = `e2e-auth-${nextUser}-${Date.now().toString(36)}`;
  const answer = await call(stack, '/api/v1/user', newClientIp(), {
    headers: apiKey(stack.apiKey),
    json: { username, password, roles },
  });
  expect(answer.status, answer.text).toBe(201);
  return { username, password, id: jsonOf<{ id: string }>(answer).id };
};

interface ApiKeyView {
  key_id: string;
  name: string;
  roles: string[];
  rate_limit: { burst: number; per_seconds: number } | 'unlimited' | null;
  expires_at: string | null;
  revoked: boolean;
  overlap_until: string | null;
  created_at: string;
  updated_at: string;
}

const apiKeyViewFields = [
  'created_at',
  'expires_at',
  'key_id',
  'name',
  'overlap_until',
  'rate_limit',
  'revoked',
  'roles',
  'updated_at',
];

const createApiKey = async (
  stack: LocalStack,
  body: Record<string, unknown>,
): Promise<{ answer: Answer; created: ApiKeyView & { api_key: string } }> => {
  const answer = await call(stack, '/admin/api-keys', newClientIp(), {
    headers: apiKey(stack.apiKey),
    json: body,
  });
  expect(answer.status, answer.text).toBe(201);
  return { answer, created: jsonOf<ApiKeyView & { api_key: string }>(answer) };
};

// ---------------------------------------------------------------------------------------------------
// Token minting with the stack's own development key (what a forger who stole nothing cannot do)

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly x: string;
}

const developmentSigningKey = async (stack: LocalStack): Promise<SigningKey> => {
  const secrets = JSON.parse(await readFile(join(stack.localDir, 'secrets.json'), 'utf8')) as Record<
    string,
    { current?: { kid: string; privateJwk: JWK & { x: string } } }
  >;
  const entry = Object.entries(secrets).find(([arn]) => arn.endsWith('bulwark-local-jwtSigningKeys'));
  const current = entry?.[1].current;
  if (current === undefined) throw new Error('secrets.json holds no jwtSigningKeys secret');
  const privateKey = (await importJWK(current.privateJwk, 'EdDSA')) as CryptoKey;
  return { kid: current.kid, privateKey, x: current.privateJwk.x };
};

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Claims exactly as the issuer writes them, for the subject and session of a real token. */
const claimsLike = (real: JWTPayload, overrides: Record<string, unknown> = {}): JWTPayload => ({
  iss: real.iss,
  aud: real.aud,
  sub: real.sub,
  jti: `forged-${Math.random().toString(36).slice(2)}`,
  sid: real.sid,
  username: real.username,
  roles: real.roles,
  iat: nowSeconds(),
  exp: nowSeconds() + 300,
  ...overrides,
});

const mint = (key: SigningKey, payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> =>
  new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt', ...header })
    .sign(key.privateKey);

// ---------------------------------------------------------------------------------------------------

describe('login', () => {
  it('returns the token pair with Cache-Control no-store, and the access token reads the admin on GET /api/v1/user/me without password or hash', async () => {
    const client = newClientIp();
    const answer = await call(main, '/auth/login', client, { json: main.admin });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const pair = jsonOf<TokenPair>(answer);
    expect(Object.keys(pair).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(pair.token_type).toBe('Bearer');
    expect(pair.expires_in).toBe(600);
    expect(pair.refresh_token).toMatch(/^brt_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(decodeProtectedHeader(pair.access_token)).toEqual({
      alg: 'EdDSA',
      kid: expect.stringMatching(/^bulwark-dev-/),
      typ: 'at+jwt',
    });
    const claims = decodeJwt(pair.access_token);
    expect(claims).toMatchObject({ iss: 'bulwark', aud: 'bulwark-api', username: 'admin', roles: ['admin'] });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);

    const current = await me(main, client, bearer(pair.access_token));
    expect(current.status, current.text).toBe(200);
    const user = jsonOf<Record<string, unknown>>(current);
    expect(Object.keys(user).sort()).toEqual(['created_at', 'disabled', 'id', 'kind', 'roles', 'username']);
    expect(user).toMatchObject({ kind: 'user', id: claims.sub, username: 'admin', roles: ['admin'] });
    expect(current.text).not.toContain(main.admin.password);
    expect(current.text).not.toMatch(/\$2[aby]\$/);
    expect(current.text.toLowerCase()).not.toContain('password');
    expect(current.text.toLowerCase()).not.toContain('hash');
  });

  it('answers an unknown user and a wrong password with byte-identical status, headers and body apart from the request id', async () => {
    const user = await createUser(main, 'correct horse battery staple');
    // Distinct client IPs (the stack trusts one hop): each login starts a fresh per-IP window, so the
    // RateLimit headers must match too. Both are sent at once, early in a second, so that `t` (whole
    // seconds to the window's end) is computed within the same second for both.
    const intoSecond = Date.now() % 1000;
    if (intoSecond > 100) await sleep(1000 - intoSecond + 10);
    const [unknown, wrong] = await Promise.all([
      call(main, '/auth/login', newClientIp(), {
        json: { username: `${user.username}-nobody`, password: user.password },
      }),
      call(main, '/auth/login', newClientIp(), {
        json: { username: user.username, password: `${user.password}!` },
      }),
    ]);
    for (const answer of [unknown, wrong]) {
      const problem = expectProblem(answer, 401, 'invalid-credentials');
      expect(problem.detail).toBe('The username or password is not correct.');
      expect(answer.headers.ratelimit).toMatch(/^"fw-100-per-60s";r=99;t=\d+$/);
    }
    const comparable = (answer: Answer) => {
      const requestId = answer.headers['x-request-id'] ?? '';
      // RateLimit counts down with each failed attempt from the address (both count against it).
      const {
        'x-request-id': _id,
        date: _date,
        'keep-alive': _keepAlive,
        connection: _connection,
        ratelimit: rateLimit,
        ...rest
      } = answer.headers;
      expect(rateLimit).toMatch(/^"fw-\d+-per-\d+s";r=\d+;t=\d+$/);
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      delete body.request_id;
      return { status: answer.status, headers: rest, body, text: answer.text.replace(requestId, '<id>') };
    };
    expect(comparable(wrong)).toEqual(comparable(unknown));
  });

  it('answers a failed login 401 with the WWW-Authenticate challenge every 401 carries (RFC 7235 section 3.1)', async () => {
    const user = await createUser(main, 'challenge me politely');
    const answer = await call(main, '/auth/login', newClientIp(), {
      json: { username: user.username, password: 'not the password' },
    });
    expectProblem(answer, 401, 'invalid-credentials');
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="bulwark"');
  });

  it('refuses a password over 72 UTF-8 bytes with 422 at POST /api/v1/user and at login, never truncating it', async () => {
    const client = newClientIp();
    const tooLong = 'é'.repeat(40);
    expect(Buffer.byteLength(tooLong)).toBe(80);
    const limitMessage = { path: '/password', message: 'must be at most 72 bytes in UTF-8' };

    const creation = await call(main, '/api/v1/user', client, {
      headers: apiKey(main.apiKey),
      json: { username: 'e2e-auth-too-long', password: tooLong },
    });
    expect(expectProblem(creation, 422, 'validation-failed').errors).toEqual([limitMessage]);
    expect(creation.text).not.toContain(tooLong);
    const adminTooLong = await call(main, '/auth/login', client, {
      json: { username: main.admin.username, password: tooLong },
    });
    expect(expectProblem(adminTooLong, 422, 'validation-failed').errors).toEqual([limitMessage]);

    // Exactly 72 bytes is allowed and works.
    const atLimit = 'é'.repeat(36);
    expect(Buffer.byteLength(atLimit)).toBe(72);
    const user = await createUser(main, atLimit);
    await logIn(main, client, user);

    // bcrypt would ignore everything after byte 72: this password would match if it were truncated.
    const oneMore = await call(main, '/auth/login', client, {
      json: { username: user.username, password: `${atLimit}x` },
    });
    expect(expectProblem(oneMore, 422, 'validation-failed').errors).toEqual([limitMessage]);
    expect(oneMore.text).not.toContain('access_token');

    // Passwords sharing the first 70 or 71 bytes with the real one are wrong: every byte counts.
    for (const variant of [`${'é'.repeat(35)}e`, `${'é'.repeat(35)}è`, 'é'.repeat(35)]) {
      expect(Buffer.byteLength(variant)).toBeLessThanOrEqual(72);
      const answer = await call(main, '/auth/login', client, {
        json: { username: user.username, password: variant },
      });
      expectProblem(answer, 401, 'invalid-credentials');
    }
  });

  it('throttles repeated wrong passwords for one account: 5 free attempts, then 429 login-throttled with a doubling Retry-After, even for the right password', async () => {
    const user = await createUser(main, 'throttle me if you can');
    const right = { username: user.username, password: user.password };
    const client = newClientIp();
    const wrong = { username: user.username, password: 'not the password' };
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      const answer = await call(main, '/auth/login', client, { json: wrong });
      expectProblem(answer, 401, 'invalid-credentials');
      expect(answer.headers['retry-after']).toBeUndefined();
    }
    // The 6th failure started a 1 s back-off: the next attempt is not even checked.
    const throttled = await call(main, '/auth/login', client, { json: right });
    const problem = expectProblem(throttled, 429, 'login-throttled');
    expect(problem.detail).toBe(
      'Too many failed logins for this account or address; retry after the seconds in Retry-After.',
    );
    expect(throttled.headers['retry-after']).toBe('1');
    expect(throttled.text).not.toContain('access_token');

    await sleep(1_100);
    expectProblem(await call(main, '/auth/login', client, { json: wrong }), 401, 'invalid-credentials');
    const doubled = await call(main, '/auth/login', client, { json: right });
    expectProblem(doubled, 429, 'login-throttled');
    expect(doubled.headers['retry-after']).toBe('2');

    await sleep(2_100);
    await logIn(main, client, user);
    // A success ends the account's streak: one more wrong password is free again.
    expectProblem(await call(main, '/auth/login', client, { json: wrong }), 401, 'invalid-credentials');
  });

  it('holds every address that has failed to the account-wide back-off, but never the owner on a clean address', async () => {
    const user = await createUser(main, 'guess me from anywhere');
    const wrong = { username: user.username, password: 'not the password' };
    const guessers = Array.from({ length: 6 }, () => newClientIp());
    for (const guesser of guessers) {
      expectProblem(await call(main, '/auth/login', guesser, { json: wrong }), 401, 'invalid-credentials');
    }
    // The sixth failure started the account-wide delay: an address that failed waits for it...
    const again = await call(main, '/auth/login', guessers[0] ?? '', { json: wrong });
    expectProblem(again, 429, 'login-throttled');
    // ...while the owner, on an address without failures, logs in at once.
    await logIn(main, newClientIp(), user);
  });
});

describe('refresh tokens', () => {
  it('rotate: the new refresh token works, the new access token works, and both differ from the old ones', async () => {
    const client = newClientIp();
    const user = await createUser(main, 'rotate me please 123');
    const first = await logIn(main, client, user);
    const answer = await refresh(main, client, first.refresh_token);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const second = jsonOf<TokenPair>(answer);
    expect(Object.keys(second).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(second.token_type).toBe('Bearer');
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    // Same session, same user.
    expect(decodeJwt(second.access_token)).toMatchObject({
      sub: user.id,
      sid: decodeJwt(first.access_token).sid,
      username: user.username,
    });
    const current = await me(main, client, bearer(second.access_token));
    expect(current.status).toBe(200);
    expect(jsonOf(current)).toMatchObject({ kind: 'user', id: user.id, username: user.username });

    const third = await refresh(main, client, second.refresh_token);
    expect(third.status, third.text).toBe(200);
  });

  it('gives exactly one of 25 concurrent refreshes with one token a new pair; the other 24 get 409 refresh-superseded and nothing else', async () => {
    const client = newClientIp();
    const user = await createUser(main, 'concurrency is hard 1');
    const pair = await logIn(main, client, user);
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => refresh(main, client, pair.refresh_token)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array.from({ length: 24 }, () => 409)]);
    const winner = answers.find((answer) => answer.status === 200) as Answer;
    const losers = answers.filter((answer) => answer.status !== 200);
    for (const loser of losers) {
      const problem = expectProblem(loser, 409, 'refresh-superseded');
      expect(Object.keys(problem).sort()).toEqual(['detail', 'request_id', 'status', 'title', 'type']);
      // No token of any kind was issued to a loser.
      expect(loser.text).not.toMatch(/brt_|eyJ/);
    }
    const successor = jsonOf<TokenPair>(winner);
    expect((await me(main, client, bearer(successor.access_token))).status).toBe(200);
    // The one successor is the active token of the session: it rotates.
    const next = await refresh(main, client, successor.refresh_token);
    expect(next.status, next.text).toBe(200);
    expect((await me(main, client, bearer(jsonOf<TokenPair>(next).access_token))).status).toBe(200);
  });

  it('answers a replay after the grace window with 401 and revokes the session: its access tokens are refused at once', async () => {
    const client = newClientIp();
    const pair = await logIn(tight, client, tight.admin);
    const rotated = await refresh(tight, client, pair.refresh_token);
    expect(rotated.status, rotated.text).toBe(200);
    const successor = jsonOf<TokenPair>(rotated);
    // Inside the 1 s grace window the old token is a concurrent loser, not a replay.
    expectProblem(await refresh(tight, client, pair.refresh_token), 409, 'refresh-superseded');
    expect((await me(tight, client, bearer(successor.access_token))).status).toBe(200);

    await sleep(1_200);
    const replay = await refresh(tight, client, pair.refresh_token);
    const problem = expectInvalidToken(replay);
    expect(problem.detail).toBe('The refresh token is not valid.');
    await waitForLogs(tight, (entry) => entry.message === 'refresh token reuse detected: session revoked', 1);

    // Every access token of the session, the one issued at login and the successor's, is refused now.
    for (const token of [successor.access_token, pair.access_token]) {
      expectInvalidToken(await me(tight, client, bearer(token)));
    }
    // And so is the successor refresh token: the whole family is revoked.
    expectInvalidToken(await refresh(tight, client, successor.refresh_token));
  });
});

describe('logout', () => {
  it('answers 204; the access token is 401 on the very next request, and the refresh token of the session is refused', async () => {
    const client = newClientIp();
    const user = await createUser(main, 'log me out right now');
    const pair = await logIn(main, client, user);
    expect((await me(main, client, bearer(pair.access_token))).status).toBe(200);

    const logout = await call(main, '/auth/logout', client, {
      method: 'POST',
      headers: bearer(pair.access_token),
    });
    expect(logout.status, logout.text).toBe(204);
    expect(logout.text).toBe('');

    const after = await me(main, client, bearer(pair.access_token));
    expectInvalidToken(after);
    expectInvalidToken(await refresh(main, client, pair.refresh_token));
    // A second logout with the revoked token is refused too.
    expectInvalidToken(
      await call(main, '/auth/logout', client, { method: 'POST', headers: bearer(pair.access_token) }),
    );
  });

  it('revokes a refresh token sent in the body along with the session', async () => {
    const client = newClientIp();
    const user = await createUser(main, 'log me out with a body');
    const pair = await logIn(main, client, user);
    const rotated = jsonOf<TokenPair>(await refresh(main, client, pair.refresh_token));
    const logout = await call(main, '/auth/logout', client, {
      headers: bearer(rotated.access_token),
      json: { refresh_token: rotated.refresh_token },
    });
    expect(logout.status, logout.text).toBe(204);
    expectInvalidToken(await refresh(main, client, rotated.refresh_token));
    expectInvalidToken(await me(main, client, bearer(rotated.access_token)));
  });
});

describe('forged access tokens', () => {
  let real: TokenPair;
  let realClaims: JWTPayload;
  let key: SigningKey;
  const client = newClientIp();

  beforeAll(async () => {
    real = await logIn(main, client, main.admin);
    realClaims = decodeJwt(real.access_token);
    key = await developmentSigningKey(main);
  });

  it('accepts a token minted here with the stack development key and real claims (the control for the forgeries below)', async () => {
    const token = await mint(key, claimsLike(realClaims));
    const answer = await me(main, client, bearer(token));
    expect(answer.status, answer.text).toBe(200);
    expect(jsonOf(answer)).toMatchObject({ kind: 'user', username: 'admin' });
  });

  const forgeries: [string, () => Promise<string>][] = [
    [
      'alg none',
      async () =>
        `${b64url({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${b64url(claimsLike(realClaims))}.`,
    ],
    [
      'HS256 signed with the public key bytes from the JWKS',
      async () => {
        const jwks = jsonOf<{ keys: { x: string; kid: string }[] }>(
          await call(main, '/.well-known/jwks.json', client),
        );
        const publicKey = jwks.keys[0];
        if (publicKey === undefined) throw new Error('empty JWKS');
        return new SignJWT(claimsLike(realClaims))
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: publicKey.kid })
          .sign(Buffer.from(publicKey.x, 'base64url'));
      },
    ],
    ['an unknown kid', () => mint(key, claimsLike(realClaims), { kid: 'bulwark-dev-000000000000' })],
    ['a jku header', () => mint(key, claimsLike(realClaims), { jku: 'https://evil.example/jwks.json' })],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = real.access_token.split('.');
        return `${header}.${b64url({ ...realClaims, username: 'mallory' })}.${signature}`;
      },
    ],
    [
      'an expiry in the past',
      () => mint(key, claimsLike(realClaims, { iat: nowSeconds() - 900, exp: nowSeconds() - 300 })),
    ],
    ['a wrong audience', () => mint(key, claimsLike(realClaims, { aud: 'another-api' }))],
    ['a wrong issuer', () => mint(key, claimsLike(realClaims, { iss: 'https://evil.example' }))],
    ['a refresh token', async () => real.refresh_token],
  ];

  it.each(forgeries)(
    'refuses %s with 401 and error="invalid_token", never echoing the token',
    async (_, forge) => {
      const token = await forge();
      const answer = await me(main, client, bearer(token));
      const problem = expectInvalidToken(answer);
      expect(['The access token is not valid.', 'The credential presented is not valid.']).toContain(
        problem.detail,
      );
      expect(answer.text).not.toContain(token);
    },
  );
});

describe('JWKS', () => {
  it('publishes the current public key, which verifies login tokens, and no private part', async () => {
    const client = newClientIp();
    const key = await developmentSigningKey(main);
    const answer = await call(main, '/.well-known/jwks.json', client);
    expect(answer.status).toBe(200);
    const jwks = jsonOf<{ keys: Record<string, unknown>[] }>(answer);
    expect(jwks).toEqual({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: key.x, kid: key.kid, alg: 'EdDSA', use: 'sig' }],
    });
    expect(answer.text).not.toContain('"d"');
    const pair = await logIn(main, client, main.admin);
    const { payload } = await jwtVerify(pair.access_token, createLocalJWKSet(jwks as { keys: JWK[] }), {
      issuer: 'bulwark',
      audience: 'bulwark-api',
      typ: 'at+jwt',
      algorithms: ['EdDSA'],
    });
    expect(payload.username).toBe('admin');
  });

  it('may be cached for half the secret cache TTL (the rotation overlap), while every other answer stays no-store', async () => {
    const client = newClientIp();
    const defaultTtl = parseRuntimeConfig({}).secretsCacheTtlSeconds;
    const answer = await call(main, '/.well-known/jwks.json', client);
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe(`public, max-age=${Math.floor(defaultTtl / 2)}`);
    // The tight stack's shorter TTL shortens it: derived from the configuration, never a constant.
    const tightAnswer = await call(tight, '/.well-known/jwks.json', client);
    expect(tightAnswer.headers['cache-control']).toBe('public, max-age=30');
    // A 405 at the same path, and any other route's answer, are never cacheable.
    const refused = await call(main, '/.well-known/jwks.json', client, { method: 'DELETE' });
    expect(refused.status).toBe(405);
    expect(refused.headers['cache-control']).toBe('no-store');
    const health = await call(main, '/health', client);
    expect(health.headers['cache-control']).toBe('no-store');
  });
});

describe('API keys', () => {
  it('are created by an admin (201, secret shown once); the key authenticates, and the list never shows a secret or hash', async () => {
    const client = newClientIp();
    const { answer, created } = await createApiKey(main, { name: 'e2e reader', roles: ['user'] });
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(Object.keys(created).sort()).toEqual(['api_key', ...apiKeyViewFields].sort());
    expect(created).toMatchObject({
      name: 'e2e reader',
      roles: ['user'],
      rate_limit: null,
      expires_at: null,
      revoked: false,
    });
    expect(created.api_key).toMatch(/^bwk_[a-z2-7]{20}:[A-Za-z0-9_-]{43}$/);
    expect(created.api_key.startsWith(`${created.key_id}:`)).toBe(true);
    const secret = created.api_key.split(':')[1] ?? '';

    const used = await me(main, client, apiKey(created.api_key));
    expect(used.status, used.text).toBe(200);
    expect(jsonOf(used)).toEqual({ kind: 'api_key', key_id: created.key_id, roles: ['user'] });

    const listing = await call(main, '/admin/api-keys', client, { headers: apiKey(main.apiKey) });
    expect(listing.status).toBe(200);
    const { keys } = jsonOf<{ keys: ApiKeyView[] }>(listing);
    for (const view of keys) expect(Object.keys(view).sort()).toEqual(apiKeyViewFields);
    expect(keys.find((view) => view.key_id === created.key_id)).toMatchObject({ name: 'e2e reader' });
    expect(listing.text).not.toContain(secret);
    expect(listing.text).not.toContain(main.apiKey.split(':')[1]);
    expect(listing.text.toLowerCase()).not.toContain('hash');
    expect(listing.text).not.toContain('api_key');
  });

  it('answers a malformed key (bwk_short:zz) 401 exactly like an unknown well-formed key (its zero DynamoDB calls are proven in test/integration/api-keys)', async () => {
    const client = newClientIp();
    const malformed = await me(main, client, apiKey('bwk_short:zz'));
    const unknown = await me(main, client, apiKey(`bwk_${'a'.repeat(20)}:${'A'.repeat(43)}`));
    for (const answer of [malformed, unknown]) {
      const problem = expectInvalidToken(answer);
      expect(problem.detail).toBe('The API key is not valid.');
    }
    const comparable = (answer: Answer) => {
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      delete body.request_id;
      // RateLimit counts down with each failed attempt from the address (both count against it).
      const {
        'x-request-id': _id,
        date: _date,
        'keep-alive': _keepAlive,
        connection: _connection,
        ratelimit: rateLimit,
        ...rest
      } = answer.headers;
      expect(rateLimit).toMatch(/^"fw-\d+-per-\d+s";r=\d+;t=\d+$/);
      return { status: answer.status, body, headers: rest };
    };
    expect(comparable(malformed)).toEqual(comparable(unknown));
  });

  it('revokes a key with DELETE /admin/api-keys/{key_id} (204): the key is 401 on the next request', async () => {
    const client = newClientIp();
    const { created } = await createApiKey(main, { name: 'e2e revoked', roles: ['user'] });
    expect((await me(main, client, apiKey(created.api_key))).status).toBe(200);
    const revoked = await call(main, `/admin/api-keys/${created.key_id}`, client, {
      method: 'DELETE',
      headers: apiKey(main.apiKey),
    });
    expect(revoked.status, revoked.text).toBe(204);
    expect(revoked.text).toBe('');
    expectInvalidToken(await me(main, client, apiKey(created.api_key)));
    const { keys } = jsonOf<{ keys: ApiKeyView[] }>(
      await call(main, '/admin/api-keys', client, { headers: apiKey(main.apiKey) }),
    );
    expect(keys.find((view) => view.key_id === created.key_id)?.revoked).toBe(true);
  });

  it('changes roles with PATCH: a user key gets 403 insufficient_scope on POST /api/v1/user, and after PATCH to admin it gets through to validation', async () => {
    const client = newClientIp();
    const { created } = await createApiKey(main, { name: 'e2e promoted', roles: ['user'] });
    const forbidden = await call(main, '/api/v1/user', client, {
      headers: apiKey(created.api_key),
      json: { username: 'e2e-auth-by-user-key', password: 'correct horse battery staple' },
    });
    const problem = expectProblem(forbidden, 403, 'forbidden');
    expect(problem.detail).toBe('The authenticated principal lacks a role this route requires.');
    expect(forbidden.headers['www-authenticate']).toBe('Bearer realm="bulwark", error="insufficient_scope"');

    const patched = await call(main, `/admin/api-keys/${created.key_id}`, client, {
      method: 'PATCH',
      headers: apiKey(main.apiKey),
      json: { roles: ['admin'] },
    });
    expect(patched.status, patched.text).toBe(200);
    const view = jsonOf<ApiKeyView>(patched);
    expect(Object.keys(view).sort()).toEqual(apiKeyViewFields);
    expect(view).toMatchObject({ key_id: created.key_id, roles: ['admin'], revoked: false });

    const invalid = await call(main, '/api/v1/user', client, {
      headers: apiKey(created.api_key),
      json: { username: 'e2e-auth-by-admin-key', password: 'correct horse battery staple', isAdmin: true },
    });
    expect(expectProblem(invalid, 422, 'validation-failed').errors).toEqual([
      { path: '/isAdmin', message: 'is not an allowed field' },
    ]);
    const createdUser = await call(main, '/api/v1/user', client, {
      headers: apiKey(created.api_key),
      json: {
        username: `e2e-auth-by-admin-key-${Date.now().toString(36)}`,
        password: 'correct horse battery staple',
      },
    });
    expect(createdUser.status, createdUser.text).toBe(201);
  });

  it('limits a key created with rate_limit {burst: 5, per_seconds: 10}: 5 answers, then 429 with Retry-After', async () => {
    const client = newClientIp();
    const { created } = await createApiKey(main, {
      name: 'e2e limited',
      roles: ['user'],
      rate_limit: { burst: 5, per_seconds: 10 },
    });
    expect(created.rate_limit).toEqual({ burst: 5, per_seconds: 10 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const answer = await me(main, client, apiKey(created.api_key));
      statuses.push(answer.status);
      expect(answer.headers.ratelimit).toBeDefined();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await me(main, client, apiKey(created.api_key));
    expectProblem(limited, 429, 'quota-exceeded');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    // The admin key (route policy) is not affected by that key's bucket.
    expect((await me(main, client, apiKey(main.apiKey))).status).toBe(200);
  });

  it('lets an unlimited key past the route limit that stops a default key, and logs a guard-rail breach warning for each use', async () => {
    const client = newClientIp();
    const { created: unlimited } = await createApiKey(tight, {
      name: 'e2e unlimited',
      roles: ['user'],
      rate_limit: 'unlimited',
    });
    expect(unlimited.rate_limit).toBe('unlimited');
    const { created: ordinary } = await createApiKey(tight, { name: 'e2e ordinary', roles: ['user'] });

    // The tight stack's route policy is 5 per minute: an ordinary key gets 5, then 429.
    const ordinaryStatuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      ordinaryStatuses.push((await me(tight, client, apiKey(ordinary.api_key))).status);
    expect(ordinaryStatuses).toEqual([200, 200, 200, 200, 200, 429]);

    const uses = 12;
    for (let i = 0; i < uses; i += 1) {
      const answer = await me(tight, client, {
        ...apiKey(unlimited.api_key),
        'x-request-id': `unlimited-use-${i}`,
      });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.headers.ratelimit).toBeUndefined();
    }
    const warnings = await waitForLogs(
      tight,
      (entry) =>
        entry.message === 'guard-rail breach: unlimited API key used' && entry.key_id === unlimited.key_id,
      uses,
    );
    expect(warnings.map((entry) => entry.level)).toEqual(Array.from({ length: uses }, () => 'WARN'));
    expect(warnings.map((entry) => entry.request_id).sort()).toEqual(
      Array.from({ length: uses }, (_, i) => `unlimited-use-${i}`).sort(),
    );
    expect(tight.logs()).not.toContain(unlimited.api_key.split(':')[1]);
  });
});

describe('401 without a credential', () => {
  it.each([
    ['GET', '/api/v1/user/me'],
    ['POST', '/api/v1/user'],
    ['POST', '/auth/logout'],
    ['GET', '/admin/api-keys'],
    ['POST', '/admin/api-keys'],
    ['PATCH', `/admin/api-keys/bwk_${'a'.repeat(20)}`],
    ['DELETE', `/admin/api-keys/bwk_${'a'.repeat(20)}`],
  ])(
    'answers %s %s with 401 unauthenticated and WWW-Authenticate: Bearer realm="bulwark"',
    async (method, path) => {
      const answer = await call(main, path, newClientIp(), { method });
      const problem = expectProblem(answer, 401, 'unauthenticated');
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="bulwark"');
      expect(problem.detail).toBe(
        'This route requires an access token (Authorization: Bearer) or an API key in the x-api-key header.',
      );
    },
  );
});
