/**
 * Body and content-type tricks on JSON routes: oversized bodies however they are sent (413), anything but
 * application/json (415), broken JSON (400), and unknown, prototype-polluting or privileged fields (422,
 * or 403 for a principal without the role).
 */
import { randomBytes } from 'node:crypto';
import { describeAnswer, expectRefused } from '../expect-answer.js';
import type { HttpAnswer, HttpRequest } from '../http-client.js';
import { fail, type SecurityCheck, skip, variant } from '../security-check.js';
import { bearer, type Client, logIn, randomName, type Target } from '../target.js';

const login = '/auth/login';
const createUser = '/api/v1/user';

/** A login body for a user that does not exist, padded with whitespace to exactly `bytes` bytes (ASCII). */
const loginBodyOf = (bytes: number): string => {
  const body = JSON.stringify({
    username: randomName('nobody'),
    password: randomBytes(12).toString('base64url'),
  });
  if (bytes < body.length) throw new RangeError(`a login body needs at least ${body.length} bytes`);
  return `${body.slice(0, -1)}${' '.repeat(bytes - body.length)}}`;
};

/** A login body the schema accepts, for a user that does not exist. */
const validLoginBody = (): string =>
  JSON.stringify({ username: randomName('nobody'), password: 'x'.repeat(16) });

type Attempt = readonly [string, (client: Client, target: Target) => Promise<void>];

const family = (id: string, proves: string, attempts: readonly Attempt[]): SecurityCheck => ({
  id,
  proves,
  run: async (target) => {
    const client = target.client();
    for (const [label, attempt] of attempts) await variant(label, () => attempt(client, target));
  },
});

/** An attempt that must be refused with `status` and `code`. */
const refused =
  (status: number, code: string, request: (target: Target) => HttpRequest) =>
  async (client: Client, target: Target): Promise<void> =>
    expectRefused(await client.send(request(target)), status, code);

const tooLarge = (request: (target: Target) => HttpRequest) => refused(413, 'body-too-large', request);

const postLogin = (
  body: string | Buffer,
  headers: Record<string, string> = {},
  extra: Partial<HttpRequest> = {},
) => ({
  method: 'POST',
  path: login,
  body,
  headers,
  ...extra,
});

const asJson = { 'content-type': 'application/json' };

/** Pollution and privilege fields: each must be refused by strict validation, never merged. */
const pollutedBodies = (username: string, password: string): readonly (readonly [string, string])[] => [
  ['__proto__', `{"username":"${username}","password":"${password}","__proto__":{"roles":["admin"]}}`],
  [
    'constructor.prototype',
    `{"username":"${username}","password":"${password}","constructor":{"prototype":{"roles":["admin"]}}}`,
  ],
  [
    'nested __proto__',
    `{"username":"${username}","password":"${password}","email":{"__proto__":{"admin":true}}}`,
  ],
];

export const bodyTrickChecks: readonly SecurityCheck[] = [
  family('body.too-large', 'a JSON body one byte over API_BODY_MAX_BYTES gets 413 body-too-large', [
    ['max + 1 bytes', tooLarge((target) => postLogin(loginBodyOf(target.bodyMaxBytes + 1), asJson))],
    ['10 x max', tooLarge((target) => postLogin(loginBodyOf(target.bodyMaxBytes * 10), asJson))],
  ]),
  family(
    'body.too-large-base64',
    'a binary body (base64-encoded for the function) is measured after decoding: max + 1 bytes get 413, exactly max bytes do not',
    [
      [
        'max + 1 binary bytes',
        tooLarge((target) =>
          postLogin(Buffer.alloc(target.bodyMaxBytes + 1, 0xff), {
            'content-type': 'application/octet-stream',
          }),
        ),
      ],
      [
        'exactly max binary bytes',
        async (client, target) => {
          const answer = await client.send(
            postLogin(Buffer.alloc(target.bodyMaxBytes, 0xff), {
              'content-type': 'application/octet-stream',
            }),
          );
          if (answer.status === 413 || answer.status >= 500)
            fail(`a body of exactly API_BODY_MAX_BYTES got ${describeAnswer(answer)}`);
        },
      ],
    ],
  ),
  family('body.too-large-chunked', 'a chunked body (no Content-Length) over API_BODY_MAX_BYTES gets 413', [
    [
      'chunked max + 1',
      tooLarge((target) => postLogin(loginBodyOf(target.bodyMaxBytes + 1), asJson, { chunkBytes: 512 })),
    ],
  ]),
  family(
    'body.content-type',
    'a valid JSON body sent as text/plain, form data, json-patch, text/json, UTF-16 JSON or with no Content-Type gets 415',
    [
      ...[
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json-patch+json',
        'text/json',
        'application/json; charset=utf-16',
        'application/jsonp',
      ].map(
        (type): Attempt => [
          type,
          refused(415, 'unsupported-media-type', () => postLogin(validLoginBody(), { 'content-type': type })),
        ],
      ),
      ['no Content-Type', refused(415, 'unsupported-media-type', () => postLogin(validLoginBody()))],
    ],
  ),
  family(
    'body.malformed-json',
    'bodies that are not JSON (truncated, single quotes, trailing garbage, NaN, empty, invalid UTF-8) get 400 malformed-json',
    (
      [
        ['truncated', '{"username":'],
        ['single quotes', "{'username':'a','password':'b'}"],
        ['trailing garbage', '{"username":"a","password":"b"}}'],
        ['NaN', 'NaN'],
        ['empty', ''],
        ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
      ] as const
    ).map(([label, body]): Attempt => [label, refused(400, 'malformed-json', () => postLogin(body, asJson))]),
  ),
  family(
    'body.unknown-fields',
    'a login body with a field the schema does not name gets 422 validation-failed',
    [
      [
        'remember_me',
        refused(422, 'validation-failed', () =>
          postLogin(
            JSON.stringify({ username: randomName('nobody'), password: 'x'.repeat(16), remember_me: true }),
            asJson,
          ),
        ),
      ],
    ],
  ),
  family(
    'body.prototype-pollution',
    'login bodies with __proto__ or constructor.prototype fields get 422 validation-failed',
    pollutedBodies('bulwark-security-nobody', 'x'.repeat(16)).map(
      ([label, body]): Attempt => [label, refused(422, 'validation-failed', () => postLogin(body, asJson))],
    ),
  ),
  {
    id: 'body.mass-assignment',
    proves:
      'privileged or server-owned fields are refused: roles at login, id/password_hash/created_at/__proto__ at user creation (422), and roles from a principal without the admin role (403)',
    run: async (target) => {
      const client = target.client();
      const password = randomBytes(18).toString('base64url');
      await variant('roles at login', async () =>
        expectRefused(
          await client.send({
            ...postLogin(
              JSON.stringify({ username: randomName('nobody'), password, roles: ['admin'] }),
              asJson,
            ),
          }),
          422,
          'validation-failed',
        ),
      );
      if (target.adminApiKey === undefined)
        skip('the user-creation part needs an admin API key (BULWARK_API_KEY)');
      const admin = { [target.apiKeyHeader]: target.adminApiKey ?? '', ...asJson };
      const fields: [string, Record<string, unknown>][] = [
        ['id', { id: '00000000-0000-4000-8000-000000000000' }],
        ['password_hash', { password_hash: '$2b$10$abcdefghijklmnopqrstuuKq0aW7yQZ1x0gVvKUs0yYpZ.7sYt1W' }],
        ['passwordHash', { passwordHash: '$2b$10$abcdefghijklmnopqrstuuKq0aW7yQZ1x0gVvKUs0yYpZ.7sYt1W' }],
        ['created_at', { created_at: '2000-01-01T00:00:00Z' }],
      ];
      for (const [label, extra] of fields)
        await variant(`${label} at user creation`, async () =>
          expectRefused(
            await client.send({
              method: 'POST',
              path: createUser,
              headers: admin,
              body: JSON.stringify({ username: randomName('mass'), password, ...extra }),
            }),
            422,
            'validation-failed',
          ),
        );
      for (const [label, body] of pollutedBodies(randomName('mass'), password))
        await variant(`${label} at user creation`, async () =>
          expectRefused(
            await client.send({ method: 'POST', path: createUser, headers: admin, body }),
            422,
            'validation-failed',
          ),
        );
      const { access_token: token } = await logIn(client, await target.throwawayUser());
      await variant('roles admin from a user-role token', async () => {
        const answer: HttpAnswer = await client.send({
          method: 'POST',
          path: createUser,
          headers: { ...bearer(token), ...asJson },
          body: JSON.stringify({ username: randomName('mass'), password, roles: ['admin'] }),
        });
        expectRefused(answer, 403, 'forbidden', { sent: [token] });
      });
    },
  },
];
