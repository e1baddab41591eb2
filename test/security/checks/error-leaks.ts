/**
 * Error answers teach an attacker nothing: unknown routes, wrong methods and bad bodies get a 4xx
 * problem+json with no stack trace, file path or internal name, and never a 5xx.
 */
import { describeAnswer, expectNoLeak, expectSecurityHeaders } from '../expect-answer.js';
import type { HttpAnswer, HttpRequest } from '../http-client.js';
import { fail, type SecurityCheck, variant } from '../security-check.js';

const expectQuietRefusal = (answer: HttpAnswer, method: string): void => {
  if (answer.status < 400 || answer.status >= 500) fail(`expected a 4xx; saw ${describeAnswer(answer)}`);
  // HEAD answers have no body to check.
  if (method !== 'HEAD' && !answer.headers['content-type']?.startsWith('application/problem+json'))
    fail(`refused without problem+json: ${describeAnswer(answer)}`);
  expectSecurityHeaders(answer);
  expectNoLeak(answer);
};

const leaks = (
  id: string,
  proves: string,
  requests: readonly (readonly [string, HttpRequest])[],
): SecurityCheck => ({
  id,
  proves,
  run: async (target) => {
    const client = target.client();
    for (const [label, request] of requests)
      await variant(label, async () =>
        expectQuietRefusal(await client.send(request), request.method ?? 'GET'),
      );
  },
});

const json = { 'content-type': 'application/json' };

export const errorLeakChecks: readonly SecurityCheck[] = [
  leaks(
    'leak.unknown-routes',
    'unknown and hostile paths (traversal, invalid percent-encoding, NUL, dotfiles) get a 4xx problem without internals',
    [
      '/no-such-route',
      '/api/v1/../../etc/passwd',
      '/%E0%A4%A',
      '/%',
      '/api/v1/user/%00',
      '/.env',
      '/admin',
      '/api/v1/user/me/..;/x',
      `/${'a'.repeat(2000)}`,
    ].map((path) => [path.length > 60 ? 'a 2,000-character path' : path, { path }] as const),
  ),
  leaks(
    'leak.wrong-methods',
    'wrong methods on real routes (DELETE /health, PUT /auth/login, PATCH /api/v1/user/me, TRACE, HEAD) get a 4xx problem without internals',
    [
      ['DELETE /health', { method: 'DELETE', path: '/health' }],
      ['PUT /auth/login', { method: 'PUT', path: '/auth/login', body: '{}', headers: json }],
      ['PATCH /api/v1/user/me', { method: 'PATCH', path: '/api/v1/user/me' }],
      ['TRACE /', { method: 'TRACE', path: '/' }],
      ['HEAD /auth/login', { method: 'HEAD', path: '/auth/login' }],
    ],
  ),
  leaks(
    'leak.bad-bodies',
    'hostile login bodies (broken JSON, deep nesting, huge numbers, operator objects, lone surrogates) get a 4xx problem without internals',
    (
      [
        ['broken JSON', '{"username": "a", "password": '],
        ['deep nesting', `${'['.repeat(900)}${']'.repeat(900)}`],
        ['huge number', '{"username": 1e999, "password": -1e999}'],
        ['operator objects', '{"username": {"$ne": null}, "password": {"$gt": ""}}'],
        ['lone surrogate', '{"username": "\\ud800", "password": "\\udfff\\u0000"}'],
        ['array body', '[{"username": "a", "password": "b"}]'],
        ['null body', 'null'],
      ] as const
    ).map(([label, body]) => [label, { method: 'POST', path: '/auth/login', body, headers: json }] as const),
  ),
];
