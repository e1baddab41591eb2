/**
 * authenticate on its own: the unlimited-key guard rail, exactly one credential, configuration checked
 * when built, the Bearer scheme, which principal and revocation guards each credential establishes, what a failure counts and logs, and which failures are
 * not the client's (a backend outage passes through uncounted). The module is loaded afresh for each test,
 * so the Bearer pattern (a module constant) is mutation-tested too (test/support/import-fresh.ts).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiKeyRateLimit } from '../../../shared/domain/api-keys/api-key.js';
import { BulwarkError } from '../../../shared/errors/bulwark-error.js';
import { DependencyUnavailableError } from '../../../shared/errors/request-errors.js';
import type { SecureRequest } from '../../../shared/http/secure-request.js';
import type { AuthenticateOptions } from '../../../shared/middlewares/authenticate.js';
import { importFresh } from '../../support/import-fresh.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { secureRequestOf } from '../../support/secure-request-of.js';
import { apiGatewayEvent, lambdaContext } from '../../support/test-runtime.js';

type AuthenticateModule = typeof import('../../../shared/middlewares/authenticate.js');
let authenticate: AuthenticateModule['authenticate'];
beforeEach(async () => {
  ({ authenticate } = await importFresh<AuthenticateModule>(
    new URL('../../../shared/middlewares/authenticate.js', import.meta.url),
  ));
});

const requestWith = (
  headers: Record<string, string>,
  multiValueHeaders?: Record<string, string[]>,
): SecureRequest => {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const context = lambdaContext();
  context.bulwark = {
    requestId: 'req-1',
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    clientIp: '192.0.2.1',
    principal: undefined,
    body: undefined,
    revocationGuards: [],
    responseHeaders: {},
  };
  return {
    event: {
      ...apiGatewayEvent(),
      headers: lower,
      multiValueHeaders:
        multiValueHeaders ??
        Object.fromEntries(Object.entries(lower).map(([name, value]) => [name, [value]])),
    },
    context,
    response: undefined,
    error: undefined,
    internal: {},
  } as unknown as SecureRequest;
};

const withKeyLimit = (rateLimit: ApiKeyRateLimit) => {
  const counted: string[] = [];
  const middleware = authenticate({
    strategy: 'api_key',
    routeId: 'me',
    apiKeyHeader: 'x-api-key',
    verifyApiKey: async () => ({ keyId: 'bwk_key', roles: ['user'], rateLimit }),
    sessionRevocationKey: (sessionId) => `revoked#${sessionId}`,
    metrics: { count: (metric) => counted.push(metric) },
  });
  return { middleware, counted };
};

describe('authenticate: the unlimited-key guard rail', () => {
  it.each([
    ['"unlimited"', 'unlimited' as const],
    ['a burst beyond the ceiling', { burst: 1_000_000, perSeconds: 604_800 }],
    ['an average beyond 1,000 per second', { burst: 10_000, perSeconds: 1 }],
  ])('counts every use of a key whose limit is %s as a breach', async (_, rateLimit) => {
    const { middleware, counted } = withKeyLimit(rateLimit);
    await middleware.before?.(requestWith({ 'x-api-key': 'bwk_x:y' }));
    expect(counted).toEqual(['api_key_unlimited_used']);
  });

  it('counts nothing for a key whose limit still limits', async () => {
    const { middleware, counted } = withKeyLimit({ burst: 10_000, perSeconds: 10 });
    await middleware.before?.(requestWith({ 'x-api-key': 'bwk_x:y' }));
    expect(counted).toEqual([]);
  });
});

describe('authenticate: exactly one credential', () => {
  it.each([
    ['two API key header lines, the valid one last', { 'x-api-key': ['bwk_junk:junk', 'bwk_x:y'] }],
    ['two API key header lines, the valid one first', { 'x-api-key': ['bwk_x:y', 'bwk_junk:junk'] }],
    ['two Authorization header lines', { authorization: ['Bearer a.b.c', 'Bearer d.e.f'] }],
  ])('refuses %s with 401, whichever line a proxy would keep', async (_, multiValueHeaders) => {
    const { middleware, counted } = withKeyLimit({ burst: 10, perSeconds: 10 });
    const last = Object.fromEntries(
      Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1) ?? '']),
    );
    const error = await rejectionOf(middleware.before?.(requestWith(last, multiValueHeaders)));
    expect(error).toMatchObject({ code: 'invalid-credentials', reason: 'repeated_credential' });
    expect(counted).toEqual(['auth_failure']);
  });
});

const claims = {
  sub: 'user-1',
  sid: 'c2Vzc2lvbi0wMDAxLWFiYw',
  jti: 'tok-1',
  username: 'alice',
  roles: ['user'],
} as const;

const setup = (overrides: Partial<AuthenticateOptions> = {}) => {
  const counted: [string, Record<string, string>][] = [];
  const verifyAccessToken = vi.fn(async (_token: string) => claims);
  const verifyApiKey = vi.fn(async (_credential: string) => ({
    keyId: 'bwk_key',
    roles: ['admin'] as const,
    rateLimit: undefined,
  }));
  const limitFailure = vi.fn(async () => undefined);
  const middleware = authenticate({
    strategy: 'jwt_or_api_key',
    routeId: 'me',
    apiKeyHeader: 'x-api-key',
    verifyAccessToken,
    verifyApiKey,
    sessionRevocationKey: (sessionId) => `revoked#${sessionId}`,
    metrics: { count: (metric, dimensions) => counted.push([metric, { ...dimensions }]) },
    limitFailure,
    ...overrides,
  });
  const run = (headers: Record<string, string>) => {
    const { request, logged } = secureRequestOf({ event: { headers } });
    return {
      request,
      logged,
      done: Promise.resolve().then(() => middleware.before?.(request)),
    };
  };
  return { counted, verifyAccessToken, verifyApiKey, limitFailure, run };
};

describe('authenticate, when built', () => {
  it('requires a token verifier for the strategies that accept tokens', () => {
    for (const strategy of ['jwt', 'jwt_or_api_key'] as const) {
      expect(() =>
        authenticate({
          strategy,
          routeId: 'me',
          apiKeyHeader: 'x-api-key',
          verifyApiKey: async () => ({ keyId: 'k', roles: [], rateLimit: undefined }),
          sessionRevocationKey: (id) => id,
          metrics: { count: () => undefined },
        }),
      ).toThrow('verifyAccessToken is required');
    }
  });

  it('requires an API-key verifier for the strategies that accept keys', () => {
    for (const strategy of ['api_key', 'jwt_or_api_key'] as const) {
      expect(() =>
        authenticate({
          strategy,
          routeId: 'me',
          apiKeyHeader: 'x-api-key',
          verifyAccessToken: async () => claims,
          sessionRevocationKey: (id) => id,
          metrics: { count: () => undefined },
        }),
      ).toThrow('verifyApiKey is required');
    }
  });
});

describe('the Bearer scheme', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER   abc.def.ghi', 'abc.def.ghi'],
    ['Bearer a-b_c~d+e/f.g', 'a-b_c~d+e/f.g'],
    ['Bearer abc=', 'abc='],
    ['Bearer abc==', 'abc=='],
  ])('passes the token of %j to the verifier', async (authorization, token) => {
    const { run, verifyAccessToken } = setup();
    await run({ authorization }).done;
    expect(verifyAccessToken).toHaveBeenCalledWith(token);
  });

  it.each([
    'Basic dXNlcjpwYXNz',
    'Bearer',
    'Bearer ',
    'Bearerabc.def',
    'Bearer\tabc.def',
    'Bearer abc def',
    'Bearer abc.def ',
    'xBearer abc.def',
    'Bearer =abc',
    'Bearer abc=def',
    'Bearer ab!c',
  ])('refuses %j as the wrong scheme, without calling the verifier', async (authorization) => {
    const { run, verifyAccessToken } = setup();
    const error = await rejectionOf(run({ authorization }).done);
    expect(error).toMatchObject({ code: 'invalid-credentials', reason: 'authorization_scheme' });
    expect(verifyAccessToken).not.toHaveBeenCalled();
  });
});

describe('the principal each credential establishes', () => {
  it("establishes a token's user and guards the request with the session's revocation marker", async () => {
    const { run } = setup();
    const { request, done } = run({ authorization: 'Bearer abc.def.ghi' });
    await done;
    expect(request.context.bulwark.principal).toEqual({
      kind: 'user',
      id: 'user-1',
      username: 'alice',
      roles: ['user'],
      sessionId: claims.sid,
      tokenId: 'tok-1',
    });
    expect(request.context.bulwark.revocationGuards).toEqual([`revoked#${claims.sid}`]);
  });

  it('establishes an API key with no revocation guard', async () => {
    const { run, verifyApiKey } = setup();
    const { request, done } = run({ 'x-api-key': 'bwk_x:y' });
    await done;
    expect(verifyApiKey).toHaveBeenCalledWith('bwk_x:y');
    expect(request.context.bulwark.principal).toEqual({
      kind: 'api_key',
      id: 'bwk_key',
      roles: ['admin'],
      rateLimit: undefined,
    });
    expect(request.context.bulwark.revocationGuards).toEqual([]);
  });

  it('admits every request as a development admin when authentication is disabled, and says so', async () => {
    const { request, logged } = secureRequestOf();
    await authenticate({
      strategy: 'disabled',
      routeId: 'me',
      apiKeyHeader: 'x-api-key',
      sessionRevocationKey: (id) => id,
      metrics: { count: () => undefined },
    }).before?.(request);
    expect(request.context.bulwark.principal).toEqual({
      kind: 'auth_disabled',
      id: 'auth-disabled',
      roles: ['admin'],
    });
    expect(logged).toEqual([
      {
        level: 'warn',
        message: 'authentication disabled: request accepted without a credential',
        attributes: undefined,
      },
    ]);
  });
});

describe('a failed authentication', () => {
  it('counts an auth failure for the route, logs the reason and lets the failure limit run first', async () => {
    const { run, counted, limitFailure } = setup();
    const { logged, done } = run({ authorization: 'Basic x' });
    await rejectionOf(done);
    expect(counted).toEqual([['auth_failure', { route: 'me' }]]);
    expect(logged).toEqual([
      { level: 'info', message: 'authentication failed', attributes: { reason: 'authorization_scheme' } },
    ]);
    expect(limitFailure).toHaveBeenCalledTimes(1);
  });

  it("logs a Bulwark error's code when it has no reason, and 'error' for anything else", async () => {
    const bulwark = setup({
      verifyApiKey: async () => {
        throw new BulwarkError('forbidden', { detail: 'no' });
      },
    });
    const first = bulwark.run({ 'x-api-key': 'bwk_x:y' });
    await rejectionOf(first.done);
    expect(first.logged[0]?.attributes).toEqual({ reason: 'forbidden' });
    const plain = setup({
      verifyApiKey: async () => {
        throw new Error('boom');
      },
    });
    const second = plain.run({ 'x-api-key': 'bwk_x:y' });
    await rejectionOf(second.done);
    expect(second.logged[0]?.attributes).toEqual({ reason: 'error' });
  });

  it('lets a backend outage through uncounted: it is not a failed authentication', async () => {
    const outage = new DependencyUnavailableError('dynamodb', new Error('timeout'));
    const { run, counted, limitFailure } = setup({
      verifyApiKey: async () => {
        throw outage;
      },
    });
    expect(await rejectionOf(run({ 'x-api-key': 'bwk_x:y' }).done)).toBe(outage);
    expect(counted).toEqual([]);
    expect(limitFailure).not.toHaveBeenCalled();
  });
});

describe('an explicitly unlimited API key', () => {
  it('counts the breach for the route and warns with the key id', async () => {
    const { run, counted } = setup({
      verifyApiKey: async () => ({ keyId: 'bwk_wide', roles: ['user'], rateLimit: 'unlimited' }),
    });
    const { logged, done } = run({ 'x-api-key': 'bwk_x:y' });
    await done;
    expect(counted).toEqual([['api_key_unlimited_used', { route: 'me' }]]);
    expect(logged).toEqual([
      {
        level: 'warn',
        message: 'guard-rail breach: unlimited API key used',
        attributes: { key_id: 'bwk_wide' },
      },
    ]);
  });
});

describe('authenticate: an API key from a cached record, proven by the limiter (ADR 0005)', () => {
  interface Seen {
    readonly calls: [string, boolean][];
    readonly counted: string[];
    readonly limited: number;
    readonly breaches: string[];
  }
  const provable = (
    answers: readonly (
      | { readonly version: number; readonly fromCache: boolean; readonly rateLimit?: ApiKeyRateLimit }
      | Error
    )[],
  ) => {
    const seen: Seen = { calls: [], counted: [], limited: 0, breaches: [] };
    let at = 0;
    const options: AuthenticateOptions = {
      strategy: 'jwt_or_api_key',
      routeId: 'me',
      apiKeyHeader: 'x-api-key',
      verifyAccessToken: async () => {
        throw new Error('no token here');
      },
      verifyApiKey: async () => {
        throw new Error('a provable key is never verified by verifyApiKey');
      },
      verifyProvableApiKey: async (credential, fresh) => {
        seen.calls.push([credential, fresh]);
        const answer = answers[Math.min(at, answers.length - 1)];
        at += 1;
        if (answer === undefined || answer instanceof Error) throw answer ?? new Error('no answer');
        return {
          keyId: 'bwk_key',
          roles: answer.fromCache ? ['user'] : ['admin'],
          rateLimit: answer.rateLimit,
          version: answer.version,
          fromCache: answer.fromCache,
        };
      },
      sessionRevocationKey: (sessionId) => `revoked#${sessionId}`,
      metrics: { count: (metric) => seen.counted.push(metric) },
      limitFailure: async () => {
        (seen as { limited: number }).limited += 1;
      },
      onUnlimitedKeyUsed: async (keyId) => {
        seen.breaches.push(keyId);
      },
    };
    return { middleware: authenticate(options), seen };
  };

  it('verifies the key from the cache and leaves its proof (key id, version, cached) to the limiter', async () => {
    const { middleware, seen } = provable([{ version: 3, fromCache: true }]);
    const request = requestWith({ 'x-api-key': 'bwk_x:y' });
    await middleware.before?.(request);
    const state = request.context.bulwark;
    expect(seen.calls).toEqual([['bwk_x:y', false]]);
    expect(state.principal).toEqual({
      kind: 'api_key',
      id: 'bwk_key',
      roles: ['user'],
      rateLimit: undefined,
    });
    expect(state.revocationGuards).toEqual([]);
    expect(state.apiKeyProof).toMatchObject({ keyId: 'bwk_key', version: 3, fromCache: true });
    expect(seen.counted).toEqual([]);
  });

  it('refresh reads the key again and replaces the principal and the proof with what the record says now', async () => {
    const { middleware, seen } = provable([
      { version: 1, fromCache: true },
      { version: 2, fromCache: false },
    ]);
    const request = requestWith({ 'x-api-key': 'bwk_x:y' });
    await middleware.before?.(request);
    await request.context.bulwark.apiKeyProof?.refresh();
    const state = request.context.bulwark;
    expect(seen.calls).toEqual([
      ['bwk_x:y', false],
      ['bwk_x:y', true],
    ]);
    expect(state.principal).toMatchObject({ kind: 'api_key', roles: ['admin'] });
    expect(state.apiKeyProof).toMatchObject({ version: 2, fromCache: false });
    // The new proof refreshes from a read too.
    await state.apiKeyProof?.refresh();
    expect(seen.calls.at(-1)).toEqual(['bwk_x:y', true]);
  });

  it('refuses a key the refresh finds invalid as any refused credential: counted, charged, no principal', async () => {
    const { ApiKeyInvalidError } = await import('../../../shared/domain/api-keys/api-key-errors.js');
    const revoked = new ApiKeyInvalidError('revoked');
    const { middleware, seen } = provable([{ version: 1, fromCache: true }, revoked]);
    const logged: unknown[] = [];
    const request = requestWith({ 'x-api-key': 'bwk_x:y' });
    request.context.bulwark = {
      ...request.context.bulwark,
      log: { ...request.context.bulwark.log, info: (_message, fields) => logged.push(fields) },
    };
    await middleware.before?.(request);
    expect(await rejectionOf(request.context.bulwark.apiKeyProof?.refresh() ?? Promise.resolve())).toBe(
      revoked,
    );
    expect(seen.counted).toEqual(['auth_failure']);
    expect(seen.limited).toBe(1);
    expect(logged).toEqual([{ reason: 'revoked' }]);
    expect(request.context.bulwark.principal).toBeUndefined();
    expect(request.context.bulwark.apiKeyProof).toBeUndefined();
  });

  it('lets a backend outage during the refresh pass through uncounted', async () => {
    const outage = new DependencyUnavailableError('dynamodb', new Error('down'));
    const { middleware, seen } = provable([{ version: 1, fromCache: true }, outage]);
    const request = requestWith({ 'x-api-key': 'bwk_x:y' });
    await middleware.before?.(request);
    expect(await rejectionOf(request.context.bulwark.apiKeyProof?.refresh() ?? Promise.resolve())).toBe(
      outage,
    );
    expect(seen.counted).toEqual([]);
    expect(seen.limited).toBe(0);
  });

  it('counts the guard-rail breach when the refreshed record makes the key unlimited', async () => {
    const { middleware, seen } = provable([
      { version: 1, fromCache: true },
      { version: 2, fromCache: false, rateLimit: 'unlimited' },
    ]);
    const request = requestWith({ 'x-api-key': 'bwk_x:y' });
    await middleware.before?.(request);
    expect(seen.counted).toEqual([]);
    await request.context.bulwark.apiKeyProof?.refresh();
    expect(seen.counted).toEqual(['api_key_unlimited_used']);
    expect(seen.breaches).toEqual(['bwk_key']);
  });

  it('refuses a key the first verification finds invalid, with no proof left behind', async () => {
    const { ApiKeyInvalidError } = await import('../../../shared/domain/api-keys/api-key-errors.js');
    const { middleware, seen } = provable([new ApiKeyInvalidError('mismatch')]);
    const request = requestWith({ 'x-api-key': 'bwk_x:y' });
    expect(await rejectionOf(middleware.before?.(request) ?? Promise.resolve())).toBeInstanceOf(
      ApiKeyInvalidError,
    );
    expect(seen.counted).toEqual(['auth_failure']);
    expect(request.context.bulwark.apiKeyProof).toBeUndefined();
  });

  it('leaves an access token to the token verifier, with no key proof', async () => {
    const { middleware, seen } = provable([{ version: 1, fromCache: true }]);
    const request = requestWith({ Authorization: 'Bearer abc.def.ghi' });
    await rejectionOf(middleware.before?.(request) ?? Promise.resolve());
    expect(seen.calls).toEqual([]);
    expect(request.context.bulwark.apiKeyProof).toBeUndefined();
  });
});
