import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../support/local-stack-process.js';

let stack: LocalStack;

beforeAll(async () => {
  // A small default policy (3 per 2 s) so a rollover fits in a test; one trusted proxy hop, so tests
  // can play distinct clients through X-Forwarded-For the way a trusted proxy would set it.
  stack = await startLocalStack({
    API_RATE_LIMIT_REQUESTS: '3',
    API_RATE_LIMIT_WINDOW_SECONDS: '2',
    API_TRUST_PROXY_HOPS: '1',
    CORS_ALLOW_ORIGINS: 'https://app.example.com',
  });
});

afterAll(async () => {
  await stack?.stop();
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${stack.baseUrl}${path}`, { method, headers });

/** Waits until a fresh 2-second window starts, so a burst of requests lands in one window. */
const atWindowStart = async (): Promise<void> => {
  const intoWindowMs = Date.now() % 2_000;
  if (intoWindowMs > 200) await sleep(2_000 - intoWindowMs + 20);
};

describe('rate limiting on the local stack', () => {
  it('answers the Nth+1 request 429 with Retry-After and RateLimit headers, and the next one after Retry-After succeeds', async () => {
    const client = { 'x-forwarded-for': '198.51.100.10' };
    await atWindowStart();
    for (let i = 0; i < 3; i += 1) {
      const answer = await get('/no-such-route', client);
      expect(answer.status).toBe(404);
      expect(answer.headers.get('ratelimit-policy')).toBe('"fw-3-per-2s";q=3;w=2');
      expect(answer.headers.get('ratelimit')).toMatch(new RegExp(`^"fw-3-per-2s";r=${2 - i};t=[12]$`));
    }
    const rejected = await get('/no-such-route', { ...client, origin: 'https://app.example.com' });
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = Number(rejected.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(rejected.headers.get('ratelimit')).toMatch(/^"fw-3-per-2s";r=0;t=[12]$/);
    expect(rejected.headers.get('ratelimit-policy')).toBe('"fw-3-per-2s";q=3;w=2');
    // A browser on an allowed origin can read why it was refused.
    expect(rejected.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(rejected.headers.get('access-control-expose-headers')).toContain('Retry-After');
    expect(rejected.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await rejected.json()).toMatchObject({ type: 'urn:bulwark:problem:quota-exceeded', status: 429 });

    await sleep(retryAfter * 1_000);
    expect((await get('/no-such-route', client)).status).toBe(404);
  });

  it('does not reset a client whose spoofed X-Forwarded-For entries rotate left of the trusted hop', async () => {
    await atWindowStart();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const answer = await get('/no-such-route', {
        'x-forwarded-for': `203.0.113.${i}, 10.9.8.${i}, 198.51.100.20`,
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    // A different client (a different trusted entry) still has its own budget.
    expect((await get('/no-such-route', { 'x-forwarded-for': '198.51.100.21' })).status).toBe(404);
  });

  it('never limits a CORS preflight, even for a client over its limit', async () => {
    await atWindowStart();
    const client = { 'x-forwarded-for': '198.51.100.30' };
    for (let i = 0; i < 4; i += 1) await get('/no-such-route', client);
    for (let i = 0; i < 5; i += 1) {
      const preflight = await get(
        '/api/v1/user',
        {
          ...client,
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-api-key',
        },
        'OPTIONS',
      );
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    }
  });

  it('limits GET /health to 5 requests a minute per client IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push((await get('/health', { 'x-forwarded-for': '198.51.100.40' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await get('/health', { 'x-forwarded-for': '198.51.100.41' })).status).toBe(200);
  });

  it('keys an authenticated client by its API key, not by its address', async () => {
    await atWindowStart();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      // An empty body is a fast 422 (no password hashing), so all four land in one 2-second window;
      // the limiter runs before validation, so rejected bodies spend quota too.
      const answer = await fetch(`${stack.baseUrl}/api/v1/user`, {
        method: 'POST',
        headers: {
          'x-api-key': stack.apiKey,
          'content-type': 'application/json',
          'x-forwarded-for': `198.51.100.${50 + i}`,
        },
        body: '{}',
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([422, 422, 422, 429]);
  });
});
