/**
 * Access-token forgery and confusion: every token the server did not issue, or issued for something
 * else, is 401 invalid-credentials with `error="invalid_token"`, never a 200, a 500 or an echo.
 */
import { randomBytes } from 'node:crypto';
import {
  type CryptoKey,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { expectJson, expectRefused } from '../expect-answer.js';
import { type SecurityCheck, variant } from '../security-check.js';
import { bearer, type Client, logIn, type Target, type TokenPair } from '../target.js';

interface Fixture {
  readonly client: Client;
  /** A real session of the throwaway user, used only by these checks. */
  readonly pair: TokenPair;
  readonly claims: JWTPayload;
  /** The JWKS document exactly as served. */
  readonly jwksText: string;
  readonly jwk: JWK & { kid: string; x: string };
  /** A key pair of the attacker's own. */
  readonly attacker: { readonly privateKey: CryptoKey; readonly publicJwk: JWK };
}

const fixtures = new WeakMap<Target, Promise<Fixture>>();

const fixtureOf = (target: Target): Promise<Fixture> => {
  let fixture = fixtures.get(target);
  if (fixture === undefined) {
    fixture = (async () => {
      const client = target.client();
      const pair = await logIn(client, await target.throwawayUser());
      const jwksAnswer = await client.send({ path: '/.well-known/jwks.json' });
      const jwks = expectJson<{ keys: (JWK & { kid: string; x: string })[] }>(jwksAnswer, 200, 'the JWKS');
      const jwk = jwks.keys[0];
      if (jwk === undefined) throw new Error('the JWKS has no key');
      const attacker = await generateKeyPair('EdDSA', { extractable: true });
      return {
        client,
        pair,
        claims: decodeJwt(pair.access_token),
        jwksText: jwksAnswer.text,
        jwk,
        attacker: { privateKey: attacker.privateKey, publicJwk: await exportJWK(attacker.publicKey) },
      };
    })();
    fixtures.set(target, fixture);
  }
  return fixture;
};

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The claims the issuer writes, for the real token's user and session, with a fresh id and lifetime. */
const claimsLike = (real: JWTPayload, overrides: Record<string, unknown> = {}): JWTPayload => ({
  iss: real.iss,
  aud: real.aud,
  sub: real.sub,
  jti: randomBytes(12).toString('base64url'),
  sid: real.sid,
  username: real.username,
  roles: real.roles,
  iat: nowSeconds(),
  exp: nowSeconds() + 300,
  ...overrides,
});

const sign = (
  key: CryptoKey | Uint8Array,
  payload: JWTPayload,
  header: Record<string, unknown> & { alg: string },
): Promise<string> => new SignJWT(payload).setProtectedHeader(header).sign(key);

/** Signed with the local stack's own development key: only the claim or header under test is wrong. */
const signedHere = (
  target: Target,
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> => {
  const key = target.local?.signingKey;
  if (key === undefined) throw new Error('signing with the development key needs local mode');
  return sign(key.privateKey, payload, { alg: 'EdDSA', kid: key.kid, typ: 'at+jwt', ...header });
};

const expectTokenRefused = async (
  client: Client,
  token: string,
  path = '/api/v1/user/me',
  method = 'GET',
): Promise<void> => {
  const answer = await client.send({ method, path, headers: bearer(token) });
  expectRefused(answer, 401, 'invalid-credentials', { challenge: /error="invalid_token"/, sent: [token] });
};

type Forgery = (fixture: Fixture, target: Target) => Promise<readonly (readonly [string, string])[]>;

const needsSigningKey =
  'signs tokens with the development private key, which only the suite’s own local stack exposes';

const refusedTokens = (id: string, proves: string, forge: Forgery, localOnly?: string): SecurityCheck => ({
  id,
  proves,
  ...(localOnly === undefined ? {} : { localOnly }),
  run: async (target) => {
    const fixture = await fixtureOf(target);
    // A client per check: in local mode each gets its own address, so failed-auth budgets never mix.
    const client = target.client();
    for (const [label, token] of await forge(fixture, target))
      await variant(label, () => expectTokenRefused(client, token));
  },
});

/** The base64url alphabet: a character's index is the 6-bit value it encodes. */
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sets unused low bits of the last character: decoders read the same 64 bytes from another string. */
const nonCanonical = (signature: string): string => {
  const last = alphabet.indexOf(signature.at(-1) ?? 'A');
  // 64 bytes are 86 characters carrying 516 bits: the last character's low 4 bits are padding.
  return `${signature.slice(0, -1)}${alphabet[last | 0b0001] ?? 'B'}`;
};

export const tokenForgeryChecks: readonly SecurityCheck[] = [
  {
    id: 'token.control-real-token',
    proves:
      'a real access token from POST /auth/login reads GET /api/v1/user/me (the control for the forgeries)',
    run: async (target) => {
      const { client, pair } = await fixtureOf(target);
      const answer = await client.send({ path: '/api/v1/user/me', headers: bearer(pair.access_token) });
      expectJson(answer, 200, 'the real access token');
    },
  },
  {
    id: 'token.control-signed-here',
    proves:
      'a token the suite signs with the development key and real claims is accepted (so the signed forgeries below fail only on what they change)',
    localOnly: needsSigningKey,
    run: async (target) => {
      const { client, claims } = await fixtureOf(target);
      const token = await signedHere(target, claimsLike(claims));
      const answer = await client.send({ path: '/api/v1/user/me', headers: bearer(token) });
      expectJson(answer, 200, 'a token signed with the development key');
    },
  },
  refusedTokens(
    'token.alg-none',
    'unsigned tokens (alg none, None, NONE; with and without a signature) get 401',
    async ({ claims, jwk, pair }) => {
      const payload = b64url(claimsLike(claims));
      const signature = pair.access_token.split('.')[2] ?? '';
      return ['none', 'None', 'NONE'].flatMap((alg) => {
        const header = b64url({ alg, typ: 'at+jwt', kid: jwk.kid });
        return [
          [`alg ${alg}`, `${header}.${payload}.`],
          [`alg ${alg} with a signature`, `${header}.${payload}.${signature}`],
        ] as const;
      });
    },
  ),
  refusedTokens(
    'token.hs256-public-key',
    'HS256 tokens whose HMAC secret is the public key (the JWK x bytes, the x string, the JWK JSON, the JWKS document) get 401',
    async ({ claims, jwk, jwksText }) => {
      const secrets: [string, Uint8Array][] = [
        ['x bytes', Buffer.from(jwk.x, 'base64url')],
        ['x string', Buffer.from(jwk.x)],
        ['JWK JSON', Buffer.from(JSON.stringify(jwk))],
        ['JWKS document', Buffer.from(jwksText)],
      ];
      return Promise.all(
        secrets.map(
          async ([label, secret]) =>
            [
              `HS256 with the ${label}`,
              await sign(secret, claimsLike(claims), { alg: 'HS256', typ: 'at+jwt', kid: jwk.kid }),
            ] as const,
        ),
      );
    },
  ),
  refusedTokens(
    'token.attacker-key',
    "tokens signed with the attacker's own Ed25519 key get 401, whether they name the server's kid or another",
    async ({ attacker, claims, jwk }) => [
      [
        "the server's kid",
        await sign(attacker.privateKey, claimsLike(claims), { alg: 'EdDSA', typ: 'at+jwt', kid: jwk.kid }),
      ],
      [
        'a made-up kid',
        await sign(attacker.privateKey, claimsLike(claims), {
          alg: 'EdDSA',
          typ: 'at+jwt',
          kid: `attacker-${randomBytes(4).toString('hex')}`,
        }),
      ],
    ],
  ),
  refusedTokens(
    'token.unknown-kid',
    'a token signed with the real key but naming an unknown kid (or none) gets 401',
    async ({ claims }, target) => [
      ['unknown kid', await signedHere(target, claimsLike(claims), { kid: 'bulwark-dev-000000000000' })],
      ['no kid', await signedHere(target, claimsLike(claims), { kid: undefined })],
    ],
    needsSigningKey,
  ),
  ...(
    [
      ['jwk', 'an embedded jwk header (the key inside the token)'],
      ['jku', 'a jku header (a key set URL the token chooses)'],
      ['x5u', 'an x5u header (a certificate URL the token chooses)'],
    ] as const
  ).map(([name, what]) =>
    refusedTokens(
      `token.${name}-header`,
      `tokens with ${what} get 401, signed with the attacker's key it points at or (local mode) with the real key`,
      async ({ attacker, claims, jwk }, target) => {
        const value = name === 'jwk' ? attacker.publicJwk : `https://attacker.example/${name}`;
        const tokens: [string, string][] = [
          [
            `${name} header, attacker's key`,
            await sign(attacker.privateKey, claimsLike(claims), {
              alg: 'EdDSA',
              typ: 'at+jwt',
              kid: jwk.kid,
              [name]: value,
            }),
          ],
        ];
        if (target.local !== undefined)
          tokens.push([
            `${name} header, real key`,
            await signedHere(target, claimsLike(claims), { [name]: value }),
          ]);
        return tokens;
      },
    ),
  ),
  refusedTokens(
    'token.typ',
    'a validly signed token whose typ is not at+jwt (JWT, none, refresh+jwt) gets 401',
    async ({ claims }, target) => [
      ['typ JWT', await signedHere(target, claimsLike(claims), { typ: 'JWT' })],
      ['no typ', await signedHere(target, claimsLike(claims), { typ: undefined })],
      ['typ refresh+jwt', await signedHere(target, claimsLike(claims), { typ: 'refresh+jwt' })],
    ],
    needsSigningKey,
  ),
  refusedTokens(
    'token.expired',
    'a validly signed token that expired a minute ago gets 401',
    async ({ claims }, target) => [
      [
        'exp 60 s ago',
        await signedHere(target, claimsLike(claims, { iat: nowSeconds() - 660, exp: nowSeconds() - 60 })),
      ],
    ],
    needsSigningKey,
  ),
  refusedTokens(
    'token.wrong-issuer-audience',
    'a validly signed token for another issuer or audience gets 401',
    async ({ claims }, target) => [
      [
        'iss of another issuer',
        await signedHere(target, claimsLike(claims, { iss: 'https://attacker.example' })),
      ],
      ['aud of another API', await signedHere(target, claimsLike(claims, { aud: 'another-api' }))],
      ['no aud', await signedHere(target, claimsLike(claims, { aud: undefined }))],
    ],
    needsSigningKey,
  ),
  refusedTokens(
    'token.tampered-payload',
    'a real token whose payload was edited (roles admin, another user) keeping its signature gets 401',
    async ({ claims, pair }) => {
      const [header, , signature] = pair.access_token.split('.');
      return [
        ['roles admin', `${header}.${b64url({ ...claims, roles: ['admin'] })}.${signature}`],
        [
          'another subject',
          `${header}.${b64url({ ...claims, sub: 'someone-else', username: 'admin' })}.${signature}`,
        ],
        ['later expiry', `${header}.${b64url({ ...claims, exp: (claims.exp ?? 0) + 86_400 })}.${signature}`],
      ];
    },
  ),
  refusedTokens(
    'token.non-canonical-signature',
    'a real token whose signature is re-spelled with unused base64url bits set (same bytes to lax decoders) gets 401',
    async ({ pair }) => {
      const [header, payload, signature = ''] = pair.access_token.split('.');
      return [['non-canonical last character', `${header}.${payload}.${nonCanonical(signature)}`]];
    },
  ),
  refusedTokens(
    'token.refresh-as-bearer',
    'a refresh token presented as a Bearer access token gets 401',
    async ({ pair }) => [['refresh token', pair.refresh_token]],
  ),
  ...(
    [
      ['me', 'GET', '/api/v1/user/me'],
      ['logout', 'POST', '/auth/logout'],
    ] as const
  ).map(
    ([name, method, path]): SecurityCheck => ({
      id: `token.malformed-sid-${name}`,
      proves: `validly signed tokens whose sid the server could never have issued get 401 (not 500, not 200) on ${method} ${path}`,
      localOnly: needsSigningKey,
      run: async (target) => {
        const { claims } = await fixtureOf(target);
        const client = target.client();
        const sids: [string, string][] = [
          ['sid with spaces', 'not a session id'],
          ['sid with a path', '../../revoked#x'],
          ['sid of 200 characters', 'A'.repeat(200)],
          ['non-canonical sid', 'AAAAAAAAAAAAAAAAAAAAAB'],
        ];
        for (const [label, sid] of sids) {
          const token = await signedHere(target, claimsLike(claims, { sid }));
          await variant(label, () => expectTokenRefused(client, token, path, method));
        }
      },
    }),
  ),
];
