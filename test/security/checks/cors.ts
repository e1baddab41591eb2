/**
 * CORS from a browser's point of view: origins not on the list (look-alikes included) get no
 * Access-Control-Allow-Origin, an allowed origin's preflight works, and its error answers stay readable.
 */
import { describeAnswer, expectProblem, expectSecurityHeaders } from '../expect-answer.js';
import type { HttpAnswer } from '../http-client.js';
import { fail, type SecurityCheck, skip, variant } from '../security-check.js';
import type { Client, Target } from '../target.js';

const attacker = 'https://attacker.example';

/** Origins a lax matcher confuses with the allowed one: suffixes, prefixes, another scheme or port. */
const lookalikesOf = (origin: string): string[] => {
  const url = new URL(origin);
  const otherScheme = url.protocol === 'https:' ? 'http:' : 'https:';
  const candidates = [
    `${origin}.attacker.example`,
    `${url.protocol}//attacker${url.host}`,
    `${url.protocol}//${url.hostname}.attacker.example${url.port === '' ? '' : `:${url.port}`}`,
    `${otherScheme}//${url.host}`,
    `${url.protocol}//${url.hostname}:8443`,
  ];
  return [...new Set(candidates)].filter((candidate) => candidate !== origin);
};

const preflight = (client: Client, origin: string) =>
  client.send({
    method: 'OPTIONS',
    path: '/api/v1/user',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,authorization',
    },
  });

const expectNoCorsGrant = (answer: HttpAnswer, origin: string): void => {
  const granted = answer.headers['access-control-allow-origin'];
  if (granted !== undefined)
    fail(`the ${answer.status} answer grants Access-Control-Allow-Origin: ${granted}`);
  if (answer.headers['access-control-allow-credentials'] === 'true')
    fail(`the ${answer.status} answer allows credentials for ${origin}`);
  if (answer.status >= 500) fail(`saw ${describeAnswer(answer)}`);
};

const allowedOriginOf = (target: Target): string =>
  target.allowedOrigin ?? skip('needs an allowed origin (BULWARK_ALLOWED_ORIGIN, one of CORS_ALLOW_ORIGINS)');

const listOf = (header: string | undefined): string[] =>
  (header ?? '').split(',').map((token) => token.trim().toLowerCase());

export const corsChecks: readonly SecurityCheck[] = [
  {
    id: 'cors.disallowed-origin',
    proves:
      'another origin, origin null and look-alikes of the allowed origin get no Access-Control-Allow-Origin on requests or preflights',
    run: async (target) => {
      const client = target.client();
      const origins = [
        attacker,
        'null',
        ...(target.allowedOrigin === undefined ? [] : lookalikesOf(target.allowedOrigin)),
      ];
      for (const origin of origins) {
        await variant(`GET from ${origin}`, async () =>
          expectNoCorsGrant(
            await client.send({ path: '/.well-known/jwks.json', headers: { origin } }),
            origin,
          ),
        );
        await variant(`preflight from ${origin}`, async () =>
          expectNoCorsGrant(await preflight(client, origin), origin),
        );
      }
    },
  },
  {
    id: 'cors.preflight-allowed',
    proves:
      'a preflight from the allowed origin gets 204 with that origin, POST, content-type and authorization allowed, Vary: Origin and no authentication challenge',
    run: async (target) => {
      const origin = allowedOriginOf(target);
      const answer = await preflight(target.client(), origin);
      if (answer.status < 200 || answer.status > 299) fail(`expected 2xx; saw ${describeAnswer(answer)}`);
      if (answer.headers['access-control-allow-origin'] !== origin)
        fail(`Access-Control-Allow-Origin is ${String(answer.headers['access-control-allow-origin'])}`);
      if (!listOf(answer.headers['access-control-allow-methods']).includes('post'))
        fail(
          `Access-Control-Allow-Methods lacks POST: ${String(answer.headers['access-control-allow-methods'])}`,
        );
      const headers = listOf(answer.headers['access-control-allow-headers']);
      for (const name of ['content-type', 'authorization'])
        if (!headers.includes(name)) fail(`Access-Control-Allow-Headers lacks ${name}`);
      if (!listOf(answer.headers.vary).includes('origin')) fail('the preflight answer lacks Vary: Origin');
      if (answer.headers['www-authenticate'] !== undefined)
        fail('the preflight was challenged for credentials');
      expectSecurityHeaders(answer, 'the preflight answer');
    },
  },
  {
    id: 'cors.errors-readable',
    proves:
      'error answers (401, 404) to the allowed origin carry its Access-Control-Allow-Origin and expose x-request-id, so a browser can read them',
    run: async (target) => {
      const origin = allowedOriginOf(target);
      const client = target.client();
      const attempts: [string, () => Promise<HttpAnswer>, number, string][] = [
        [
          '401',
          () => client.send({ method: 'POST', path: '/api/v1/user', headers: { origin }, json: {} }),
          401,
          'unauthenticated',
        ],
        ['404', () => client.send({ path: '/no-such-route', headers: { origin } }), 404, 'not-found'],
      ];
      for (const [label, attempt, status, code] of attempts)
        await variant(label, async () => {
          const answer = await attempt();
          expectProblem(answer, status, code);
          if (answer.headers['access-control-allow-origin'] !== origin)
            fail(`Access-Control-Allow-Origin is ${String(answer.headers['access-control-allow-origin'])}`);
          if (!listOf(answer.headers['access-control-expose-headers']).includes('x-request-id'))
            fail('Access-Control-Expose-Headers lacks x-request-id');
        });
    },
  },
];
