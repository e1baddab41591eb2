/**
 * Cache policies: every answer is `no-store` unless its route module declares another policy, and then
 * only its successful answers are cacheable (the JWKS, for half the secret cache TTL: ADR 0011's overlap).
 */
import { describe, expect, it } from 'vitest';
import { route as jwksRoute } from '../../../functions/jwks/route.js';
import { RouteNotFoundError } from '../../../shared/errors/request-errors.js';
import { cacheControlOf, NO_STORE, publicKeySetMaxAgeSeconds } from '../../../shared/http/cache-policy.js';
import { jsonResponse } from '../../../shared/http/json-response.js';
import { chainOf } from '../../support/test-chain.js';
import { apiGatewayEvent, TEST_HOST, testRuntime } from '../../support/test-runtime.js';
import { headerOf, invoke } from './chain-fixtures.js';

describe('cacheControlOf', () => {
  it('keeps no-store as the default policy, whatever the TTL', () => {
    expect(cacheControlOf('no-store', { secretsCacheTtlSeconds: 300 })).toBe('no-store');
    expect(NO_STORE).toBe('no-store');
  });

  it('lets public key sets be cached for half the secret cache TTL, in whole seconds', () => {
    expect(publicKeySetMaxAgeSeconds(300)).toBe(150);
    expect(publicKeySetMaxAgeSeconds(301)).toBe(150);
    expect(publicKeySetMaxAgeSeconds(3600)).toBe(1800);
    expect(cacheControlOf('public-key-set', { secretsCacheTtlSeconds: 300 })).toBe('public, max-age=150');
    expect(cacheControlOf('public-key-set', { secretsCacheTtlSeconds: 2 })).toBe('public, max-age=1');
  });

  it('caches nothing when half the TTL is under a second', () => {
    expect(cacheControlOf('public-key-set', { secretsCacheTtlSeconds: 1 })).toBe('no-store');
    expect(cacheControlOf('public-key-set', { secretsCacheTtlSeconds: 0 })).toBe('no-store');
  });
});

describe('a route with a cache policy', () => {
  const cacheControl = 'public, max-age=150';
  const build = async (status: 200 | 204 | 404 | 'throw') =>
    chainOf(testRuntime({ TRUSTED_HOSTS: TEST_HOST }), { auth: 'public', cacheControl }, async () => {
      if (status === 'throw') throw new RouteNotFoundError();
      return status === 204 ? { statusCode: 204, body: '' } : jsonResponse(status, { ok: status === 200 });
    });

  it('sends its Cache-Control on its successful answers only', async () => {
    expect(headerOf(await invoke(await build(200), apiGatewayEvent()), 'cache-control')).toBe(cacheControl);
    expect(headerOf(await invoke(await build(204), apiGatewayEvent()), 'cache-control')).toBe(cacheControl);
  });

  it('keeps no-store on every other answer: a non-2xx from the handler, a problem, a refusal of the chain', async () => {
    expect(headerOf(await invoke(await build(404), apiGatewayEvent()), 'cache-control')).toBe('no-store');
    const problem = await invoke(await build('throw'), apiGatewayEvent());
    expect(problem.statusCode).toBe(404);
    expect(headerOf(problem, 'cache-control')).toBe('no-store');
    // The chain itself refuses an untrusted host before the handler runs.
    const refused = await invoke(
      await build(200),
      apiGatewayEvent({ headers: { Host: 'evil.example.net' } }),
    );
    expect(refused.statusCode).toBe(400);
    expect(headerOf(refused, 'cache-control')).toBe('no-store');
  });

  it('is no-store for a route that declares no policy', async () => {
    const plain = await chainOf(testRuntime(), { auth: 'public' }, async () => jsonResponse(200, {}));
    expect(headerOf(await invoke(plain, apiGatewayEvent()), 'cache-control')).toBe('no-store');
  });
});

describe('the JWKS route', () => {
  it.each([
    ['300', 'public, max-age=150'],
    ['60', 'public, max-age=30'],
    ['1', 'no-store'],
  ])('with SECRETS_CACHE_TTL_SECONDS=%s answers Cache-Control %s', async (ttl, expected) => {
    const handler = await jwksRoute.build(testRuntime({ SECRETS_CACHE_TTL_SECONDS: ttl }));
    const answer = await invoke(handler, apiGatewayEvent({ path: '/.well-known/jwks.json' }));
    expect(answer.statusCode).toBe(200);
    expect(headerOf(answer, 'cache-control')).toBe(expected);
  });
});
