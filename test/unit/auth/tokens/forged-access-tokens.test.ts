/**
 * Forgeries and malformed tokens: each is refused with AccessTokenInvalidError and the precise reason,
 * the client sees only the generic detail and the Bearer challenge, and cheap rejections never load keys.
 */
import { createHmac, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { errors, importJWK, jwtVerify } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { AccessTokenInvalidError } from '../../../../shared/auth/tokens/access-token-invalid-error.js';
import { createAccessTokenVerifier } from '../../../../shared/auth/tokens/verify-access-token.js';
import { DependencyUnavailableError } from '../../../../shared/errors/request-errors.js';
import { FIXED_NOW_MS } from '../../../support/test-runtime.js';
import {
  alice,
  expectRejected,
  harness,
  keyA,
  keyB,
  rejectionOf,
  settings,
  signRaw,
  type TokenHarness,
  unsigned,
  validClaims,
  validHeader,
} from './token-fixtures.js';

let h: TokenHarness;
const startSeconds = Math.floor(FIXED_NOW_MS / 1000);

beforeEach(async () => {
  h = await harness();
});

const hs256 = (header: unknown, payload: unknown, secret: Buffer | string): string => {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

describe('the rejection', () => {
  it('is invalid-credentials with a generic detail and a Bearer invalid_token challenge; the reason stays internal', async () => {
    const error = await expectRejected(
      h.verifier,
      unsigned({ alg: 'none', typ: 'at+jwt' }, validClaims(h.clock)),
      'alg_not_allowed',
    );
    expect(error.code).toBe('invalid-credentials');
    expect(error.name).toBe('AccessTokenInvalidError');
    expect(error.detail).toBe('The access token is not valid.');
    expect(error.message).toBe('The access token is not valid.');
    expect(error.headers).toStrictEqual({
      'WWW-Authenticate': 'Bearer realm="bulwark", error="invalid_token"',
    });
    expect(error.message).not.toContain('alg');
  });

  it('keeps the jose error as the cause for logs', async () => {
    const { token } = await h.issuer.issue(alice);
    h.clock.advanceMs(3_600_000);
    const error = await expectRejected(h.verifier, token, 'expired');
    expect(error.cause).toBeInstanceOf(errors.JWTExpired);
  });
});

describe('algorithm', () => {
  it('refuses alg none, unsigned or with a signature, in any case', async () => {
    const claims = validClaims(h.clock);
    await expectRejected(
      h.verifier,
      unsigned({ alg: 'none', kid: keyA.kid, typ: 'at+jwt' }, claims),
      'alg_not_allowed',
    );
    await expectRejected(
      h.verifier,
      unsigned({ alg: 'NONE', kid: keyA.kid, typ: 'at+jwt' }, claims),
      'alg_not_allowed',
    );
    await expectRejected(h.verifier, unsigned({ kid: keyA.kid, typ: 'at+jwt' }, claims), 'alg_not_allowed');
    const signature = (await h.issuer.issue(alice)).token.split('.')[2];
    await expectRejected(
      h.verifier,
      unsigned({ alg: 'none', kid: keyA.kid, typ: 'at+jwt' }, claims, signature),
      'alg_not_allowed',
    );
  });

  it('refuses HS256 signed with the public key (algorithm confusion), whatever form of the key is used', async () => {
    const header = { alg: 'HS256', kid: keyA.kid, typ: 'at+jwt' };
    const claims = validClaims(h.clock);
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: keyA.privateJwk.x },
      format: 'jwk',
    });
    const forms = [
      Buffer.from(keyA.privateJwk.x, 'base64url'),
      keyA.privateJwk.x,
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      publicKey.export({ type: 'spki', format: 'der' }),
      JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: keyA.privateJwk.x }),
    ];
    for (const secret of forms)
      await expectRejected(h.verifier, hs256(header, claims, secret), 'alg_not_allowed');
  });

  it('refuses other asymmetric algorithms and the fully-specified Ed25519 name, even with a valid signature', async () => {
    const claims = validClaims(h.clock);
    for (const alg of ['Ed25519', 'ES256', 'RS256', 'PS256', 'eddsa']) {
      await expectRejected(
        h.verifier,
        signRaw({ ...validHeader(keyA.kid), alg }, claims, keyA),
        'alg_not_allowed',
      );
    }
  });
});

describe('header parameters', () => {
  it.each(['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256'])(
    'refuses a token carrying %s, even signed with the real key',
    async (name) => {
      const header = {
        ...validHeader(keyA.kid),
        [name]:
          name === 'jwk' ? { kty: 'OKP', crv: 'Ed25519', x: keyA.privateJwk.x } : 'https://evil.example/keys',
      };
      await expectRejected(h.verifier, signRaw(header, validClaims(h.clock), keyA), 'forbidden_header');
    },
  );

  it('refuses a token that embeds its own key in jwk and is signed by that key', async () => {
    const header = { ...validHeader(keyA.kid), jwk: { kty: 'OKP', crv: 'Ed25519', x: keyB.privateJwk.x } };
    await expectRejected(h.verifier, signRaw(header, validClaims(h.clock), keyB), 'forbidden_header');
  });

  it('refuses any header parameter the issuer does not write (cty, b64, zip, __proto__)', async () => {
    for (const extra of [
      { cty: 'JWT' },
      { b64: true },
      { zip: 'DEF' },
      JSON.parse('{"__proto__":{"alg":"none"}}'),
    ]) {
      await expectRejected(
        h.verifier,
        signRaw({ ...validHeader(keyA.kid), ...extra }, validClaims(h.clock), keyA),
        'forbidden_header',
      );
    }
  });

  it('refuses any crit, recognised by jose or not', async () => {
    const claims = validClaims(h.clock);
    await expectRejected(
      h.verifier,
      signRaw({ ...validHeader(keyA.kid), crit: ['exp'], exp: 1 }, claims, keyA),
      'crit',
    );
    await expectRejected(
      h.verifier,
      signRaw({ ...validHeader(keyA.kid), crit: ['b64'], b64: true }, claims, keyA),
      'crit',
    );
    await expectRejected(h.verifier, signRaw({ ...validHeader(keyA.kid), crit: [] }, claims, keyA), 'crit');
  });

  it('pins jose: it rejects an unknown crit itself, but accepts crit ["b64"] with b64 true', async () => {
    const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: keyA.privateJwk.x }, 'EdDSA');
    const claims = validClaims(h.clock);
    const unknown = signRaw({ ...validHeader(keyA.kid), crit: ['exp'], exp: 1 }, claims, keyA);
    await expect(jwtVerify(unknown, key, { currentDate: new Date(h.clock.nowMs()) })).rejects.toThrow(
      errors.JOSENotSupported,
    );
    const b64 = signRaw({ ...validHeader(keyA.kid), crit: ['b64'], b64: true }, claims, keyA);
    await expect(jwtVerify(b64, key, { currentDate: new Date(h.clock.nowMs()) })).resolves.toBeDefined();
  });

  it('refuses a missing or non-string kid before loading any key', async () => {
    const claims = validClaims(h.clock);
    const { kid: _kid, ...withoutKid } = validHeader(keyA.kid);
    await expectRejected(h.verifier, signRaw(withoutKid, claims, keyA), 'unknown_kid');
    await expectRejected(
      h.verifier,
      signRaw({ ...validHeader(keyA.kid), kid: 7 }, claims, keyA),
      'unknown_kid',
    );
    expect(h.keyLoads()).toBe(0);
  });

  it('refuses a missing, non-string or unknown kid', async () => {
    const claims = validClaims(h.clock);
    const { kid: _kid, ...withoutKid } = validHeader(keyA.kid);
    await expectRejected(h.verifier, signRaw(withoutKid, claims, keyA), 'unknown_kid');
    await expectRejected(
      h.verifier,
      signRaw({ ...validHeader(keyA.kid), kid: 7 }, claims, keyA),
      'unknown_kid',
    );
    await expectRejected(h.verifier, signRaw(validHeader(keyB.kid), claims, keyB), 'unknown_kid');
    await expectRejected(h.verifier, signRaw(validHeader('../../etc/passwd'), claims, keyA), 'unknown_kid');
  });

  it('accepts typ at+jwt in any case and as application/at+jwt', async () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT']) {
      const token = signRaw({ ...validHeader(keyA.kid), typ }, validClaims(h.clock), keyA);
      await expect(h.verifier.verify(token)).resolves.toMatchObject({ sub: 'user-0001' });
    }
  });

  it('refuses any other typ, or none', async () => {
    const claims = validClaims(h.clock);
    for (const typ of ['JWT', 'jwt', 'application/jwt', 'at+jwt ', 'application/at+jwt; x=1', 'rt+jwt', 1]) {
      await expectRejected(h.verifier, signRaw({ ...validHeader(keyA.kid), typ }, claims, keyA), 'typ');
    }
    const { typ: _typ, ...withoutTyp } = validHeader(keyA.kid);
    await expectRejected(h.verifier, signRaw(withoutTyp, claims, keyA), 'typ');
    // A header check: no key is loaded and no signature checked for any of them.
    expect(h.keyLoads()).toBe(0);
  });
});

describe('signature', () => {
  it('refuses a tampered payload under the original signature', async () => {
    const { token } = await h.issuer.issue(alice);
    const [header, , signature] = token.split('.');
    const escalated = Buffer.from(
      JSON.stringify({ ...validClaims(h.clock), jti: 'tok-1', roles: ['user', 'admin'] }),
    ).toString('base64url');
    await expectRejected(h.verifier, `${header}.${escalated}.${signature}`, 'signature');
  });

  it('refuses a signature of the wrong length, or one cut short, before loading any key', async () => {
    const { token } = await h.issuer.issue(alice);
    const loads = h.keyLoads();
    await expectRejected(h.verifier, token.slice(0, -1), 'signature');
    await expectRejected(h.verifier, `${token}AA`, 'signature');
    await expectRejected(h.verifier, `${token.slice(0, -4)}AAAAAAAA`, 'signature');
    expect(h.keyLoads()).toBe(loads);
  });

  it('refuses every non-canonical spelling of a valid signature, which jose alone would accept', async () => {
    const { token } = await h.issuer.issue(alice);
    const last = token.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const value = alphabet.indexOf(last);
    // The last of 86 characters carries 2 bits; the other 4 are ignored by base64url decoders.
    const spellings = [...alphabet].filter((c, i) => c !== last && (i & 0b110000) === (value & 0b110000));
    expect(spellings).toHaveLength(15);
    const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: keyA.privateJwk.x }, 'EdDSA');
    for (const c of spellings) {
      const variant = `${token.slice(0, -1)}${c}`;
      await expect(
        jwtVerify(variant, key, { currentDate: new Date(h.clock.nowMs()) }),
      ).resolves.toBeDefined();
      await expectRejected(h.verifier, variant, 'signature');
    }
  });
});

describe('claims', () => {
  it.each(['sid', 'jti', 'sub', 'exp', 'iat'])('refuses a token without %s', async (claim) => {
    const { [claim]: _omitted, ...claims } = validClaims(h.clock);
    await expectRejected(h.verifier, signRaw(validHeader(keyA.kid), claims, keyA), 'claims');
  });

  it.each([
    ['empty', ''],
    ['too short', 'sess-0001'],
    ['not base64url', 'c2Vzc2lvbi0wMDAxLWFiY+'],
    ['a non-canonical spelling', 'c2Vzc2lvbi0wMDAxLWFiYx'],
    ['too long for a DynamoDB key', 'x'.repeat(2048)],
    ['a number', 7],
  ])(
    'refuses a validly signed token whose sid is %s, so logout and revocation never see it',
    async (_, sid) => {
      const claims = { ...validClaims(h.clock), sid };
      await expectRejected(h.verifier, signRaw(validHeader(keyA.kid), claims, keyA), 'claims');
    },
  );

  it('refuses a token without iss or aud as a claims failure', async () => {
    const { iss: _iss, ...noIss } = validClaims(h.clock);
    const { aud: _aud, ...noAud } = validClaims(h.clock);
    await expectRejected(h.verifier, signRaw(validHeader(keyA.kid), noIss, keyA), 'claims');
    await expectRejected(h.verifier, signRaw(validHeader(keyA.kid), noAud, keyA), 'claims');
  });

  it('refuses a forged token for another audience or from another issuer', async () => {
    await expectRejected(
      h.verifier,
      signRaw(validHeader(keyA.kid), { ...validClaims(h.clock), aud: 'https://other.example' }, keyA),
      'audience',
    );
    await expectRejected(
      h.verifier,
      signRaw(validHeader(keyA.kid), { ...validClaims(h.clock), iss: 'https://evil.example' }, keyA),
      'issuer',
    );
  });

  it.each([
    ['empty sid', { sid: '' }, 'claims'],
    ['empty jti', { jti: '' }, 'claims'],
    ['numeric sub', { sub: 42 }, 'claims'],
    ['missing username', { username: undefined }, 'claims'],
    ['unknown role', { roles: ['user', 'root'] }, 'claims'],
    ['repeated role', { roles: ['admin', 'admin'] }, 'claims'],
    ['roles not an array', { roles: 'admin' }, 'claims'],
    ['fractional iat', { iat: 1.5 }, 'expired'],
    ['string exp', { exp: '9999999999' }, 'claims'],
    ['string iat', { iat: 'yesterday' }, 'claims'],
    ['string nbf', { nbf: 'soon' }, 'not_yet_valid'],
    ['exp not after iat', { iat: startSeconds + 3, exp: startSeconds + 3 }, 'claims'],
  ] as const)('refuses a token with %s (%s)', async (_name, change, reason) => {
    const claims = JSON.parse(JSON.stringify({ ...validClaims(h.clock), ...change }));
    await expectRejected(h.verifier, signRaw(validHeader(keyA.kid), claims, keyA), reason);
  });

  it('refuses a token whose nbf is still in the future', async () => {
    const claims = { ...validClaims(h.clock), nbf: Math.floor(h.clock.nowMs() / 1000) + 60 };
    await expectRejected(h.verifier, signRaw(validHeader(keyA.kid), claims, keyA), 'not_yet_valid');
  });

  it('refuses a token older than the lifetime even when its exp is far away', async () => {
    const claims = {
      ...validClaims(h.clock),
      iat: Math.floor(h.clock.nowMs() / 1000) - 606,
      exp: Math.floor(h.clock.nowMs() / 1000) + 3600,
    };
    await expectRejected(h.verifier, signRaw(validHeader(keyA.kid), claims, keyA), 'expired');
  });

  it.each([
    { token_use: 'refresh' },
    { token_use: 'id' },
    { typ: 'refresh' },
    { token_type: 'Refresh_Token' },
    { type: 'refresh' },
    { typ: ['at+jwt'] },
  ])('refuses a payload that declares another use: %o', async (marker) => {
    await expectRejected(
      h.verifier,
      signRaw(validHeader(keyA.kid), { ...validClaims(h.clock), ...marker }, keyA),
      'token_use',
    );
  });

  it('accepts a payload that declares itself an access token', async () => {
    const token = signRaw(validHeader(keyA.kid), { ...validClaims(h.clock), token_use: 'access' }, keyA);
    await expect(h.verifier.verify(token)).resolves.toMatchObject({ sub: 'user-0001' });
  });

  it.each([{ typ: 'at+jwt' }, { token_type: 'Bearer' }, { type: 'access' }])(
    'accepts a payload whose %o names no refresh use',
    async (marker) => {
      const token = signRaw(validHeader(keyA.kid), { ...validClaims(h.clock), ...marker }, keyA);
      await expect(h.verifier.verify(token)).resolves.toMatchObject({ sub: 'user-0001' });
    },
  );

  it('refuses a token without a required claim as a claims failure, whatever use it declares', async () => {
    const { sub: _sub, ...claims } = validClaims(h.clock);
    await expectRejected(
      h.verifier,
      signRaw(validHeader(keyA.kid), { ...claims, typ: 'refresh' }, keyA),
      'claims',
    );
  });
});

describe('shape and size, before any key is loaded', () => {
  it('refuses a token over maxTokenBytes, even one correctly signed', async () => {
    const padded = signRaw(validHeader(keyA.kid), { ...validClaims(h.clock), pad: 'x'.repeat(4000) }, keyA);
    expect(padded.length).toBeGreaterThan(settings.maxTokenBytes);
    await expectRejected(h.verifier, padded, 'too_large');
    await expectRejected(h.verifier, 'a'.repeat(1_000_000), 'too_large');
    expect(h.keyLoads()).toBe(0);
  });

  it.each([
    ['empty', ''],
    ['one segment', 'abc'],
    ['two segments', 'abc.def'],
    ['four segments', 'a.b.c.d'],
    ['padding', 'eyJhbGciOiJFZERTQSJ9=.e30.AAAA'],
    ['spaces', 'eyJhbGciOiJFZERTQSJ9 .e30.AAAA'],
    ['non-ASCII', 'éyJhbGciOiJFZERTQSJ9.e30.AAAA'],
    ['header not JSON', `${Buffer.from('not json').toString('base64url')}.e30.AAAA`],
    ['header an array', `${Buffer.from('["EdDSA"]').toString('base64url')}.e30.AAAA`],
    ['header null', `${Buffer.from('null').toString('base64url')}.e30.AAAA`],
    ['header a number', `${Buffer.from('7').toString('base64url')}.e30.AAAA`],
    ['header a string', `${Buffer.from('"EdDSA"').toString('base64url')}.e30.AAAA`],
    ['header not UTF-8', `${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.e30.AAAA`],
  ])('refuses garbage (%s) as malformed', async (_name, token) => {
    await expectRejected(h.verifier, token, 'malformed');
    expect(h.keyLoads()).toBe(0);
  });

  it('refuses a character outside base64url before or after the segments as malformed, loading no key', async () => {
    const { token } = await h.issuer.issue(alice);
    const loads = h.keyLoads();
    for (const candidate of [`!${token}`, `${token}!`, `${token}\n`, ` ${token}`]) {
      await expectRejected(h.verifier, candidate, 'malformed');
    }
    expect(h.keyLoads()).toBe(loads);
  });

  it('refuses a header that is not UTF-8 even inside a JSON string', async () => {
    const json = Buffer.concat([
      Buffer.from(`{"alg":"EdDSA","kid":"${keyA.kid}`),
      Buffer.from([0xff]),
      Buffer.from('","typ":"at+jwt"}'),
    ]);
    const token = `${json.toString('base64url')}.e30.${'A'.repeat(86)}`;
    await expectRejected(h.verifier, token, 'malformed');
    expect(h.keyLoads()).toBe(0);
  });

  it('refuses a non-string token as malformed', async () => {
    await expectRejected(h.verifier, 42 as never, 'malformed');
    await expectRejected(h.verifier, undefined as never, 'malformed');
  });

  it('refuses a payload that is not a JSON object, after the signature checks', async () => {
    const header = Buffer.from(JSON.stringify(validHeader(keyA.kid))).toString('base64url');
    for (const payload of ['[1]', 'null', '"x"', 'not json']) {
      const encoded = Buffer.from(payload).toString('base64url');
      const signature = sign(
        null,
        Buffer.from(`${header}.${encoded}`),
        createPrivateKey({ key: { ...keyA.privateJwk }, format: 'jwk' }),
      );
      await expectRejected(
        h.verifier,
        `${header}.${encoded}.${signature.toString('base64url')}`,
        'malformed',
      );
    }
  });
});

describe('key loading', () => {
  it('lets an error that is not about the token through unchanged', async () => {
    const { token } = await h.issuer.issue(alice);
    const verifier = createAccessTokenVerifier({
      // A broken key set: the "key" it returns is no key at all.
      keys: async () => ({ publicJwks: [], verificationKey: () => ({}) as never }),
      settings,
      clock: h.clock,
    });
    const error = await rejectionOf(verifier.verify(token));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(AccessTokenInvalidError);
  });

  it('lets a failure to load the keys through unchanged: it is not the token that is wrong', async () => {
    const { token } = await h.issuer.issue(alice);
    const outage = new DependencyUnavailableError('secrets', new Error('throttled'));
    const verifier = createAccessTokenVerifier({
      keys: () => Promise.reject(outage),
      settings,
      clock: h.clock,
    });
    expect(await rejectionOf(verifier.verify(token))).toBe(outage);
  });
});
