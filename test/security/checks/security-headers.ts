/**
 * Every answer carries the security headers: x-request-id, Strict-Transport-Security,
 * X-Content-Type-Options nosniff, Content-Security-Policy and Cache-Control no-store, on success and on
 * every kind of error (the 503 case is in the slow-backend checks, which can stop the backend). The one
 * exception is declared by its route: the JWKS's 200 may be cached publicly for less than the signing-key
 * rotation overlap (ADR 0011), with every other security header.
 */
import {
  expectJson,
  expectProblem,
  expectSecurityHeaders,
  missingSecurityHeaders,
} from '../expect-answer.js';
import { fail, type SecurityCheck, variant } from '../security-check.js';
import { spendHealthBudget } from './limiter-bypass.js';

export const securityHeaderChecks: readonly SecurityCheck[] = [
  {
    id: 'headers.on-200',
    proves: 'a 200 (GET /openapi.json) carries the security headers',
    run: async (target) => {
      const answer = await target.client().send({ path: '/openapi.json' });
      expectJson(answer, 200, 'the OpenAPI document');
      expectSecurityHeaders(answer);
    },
  },
  {
    id: 'headers.jwks-cacheable',
    proves: 'the JWKS 200 is publicly cacheable for a bounded time and carries every other security header',
    run: async (target) => {
      const answer = await target.client().send({ path: '/.well-known/jwks.json' });
      expectJson(answer, 200, 'the JWKS');
      const cacheControl = answer.headers['cache-control'] ?? '';
      const maxAge = /\bmax-age=(\d+)\b/.exec(cacheControl);
      const others = missingSecurityHeaders(answer).filter((missing) => !missing.startsWith('Cache-Control'));
      if (others.length > 0) fail(`the JWKS lacks ${others.join(', ')}`);
      if (/\bno-store\b/.test(cacheControl)) return;
      if (!/\bpublic\b/.test(cacheControl) || maxAge === null || Number(maxAge[1]) > 3_600)
        fail(`the JWKS's Cache-Control is not a bounded public policy: ${cacheControl}`);
    },
  },
  {
    id: 'headers.on-4xx',
    proves: 'a 401, a 404 and a 405 carry the security headers',
    run: async (target) => {
      const client = target.client();
      await variant('401', async () =>
        expectProblem(await client.send({ path: '/api/v1/user/me' }), 401, 'unauthenticated'),
      );
      await variant('404', async () =>
        expectProblem(await client.send({ path: '/no-such-route' }), 404, 'not-found'),
      );
      await variant('405', async () =>
        expectProblem(
          await client.send({ method: 'DELETE', path: '/auth/login' }),
          405,
          'method-not-allowed',
        ),
      );
    },
  },
  {
    id: 'headers.on-429',
    proves: 'a 429 (GET /health past its limit) carries the security headers and Retry-After',
    run: async (target) => {
      expectSecurityHeaders(await spendHealthBudget(target.client()));
    },
  },
];
