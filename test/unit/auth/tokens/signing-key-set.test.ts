/**
 * The signing-key secret: strict validation that never echoes key material, one import per distinct
 * content, the development-key refusal, key generation and the JWKS built from the set.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { signingKeySetFrom } from '../../../../shared/auth/tokens/load-signing-key-set.js';
import { DEVELOPMENT_KID_PREFIX } from '../../../../shared/auth/tokens/signing-key-set.js';
import { ConfigurationError } from '../../../../shared/errors/configuration-error.js';
import { importFresh } from '../../../support/import-fresh.js';
import { inMemorySecretStore } from '../../../support/test-runtime.js';
import { keyA, keyB, keyC, keySetOf, rejectionOf, SECRET_NAME, secretOf } from './token-fixtures.js';

type SigningModule = typeof import('../../../../shared/auth/tokens/signing-key-set.js');
// Loaded afresh for each test, so the secret's schema (a module constant) is mutation-tested too.
let parseSigningKeySet: SigningModule['parseSigningKeySet'];
let generateSigningKey: SigningModule['generateSigningKey'];
let assertProductionSigningKeys: SigningModule['assertProductionSigningKeys'];
beforeEach(async () => {
  ({ parseSigningKeySet, generateSigningKey, assertProductionSigningKeys } = await importFresh<SigningModule>(
    new URL('../../../../shared/auth/tokens/signing-key-set.js', import.meta.url),
  ));
});

const errorText = (error: unknown): string =>
  error instanceof Error
    ? `${error.message}\n${String(error.stack)}\n${JSON.stringify(error)}\n${String(error.cause)}`
    : String(error);

/** Rejects with ConfigurationError naming the secret, and no trace of any private key. */
const expectRefused = async (secret: unknown, mentions: string): Promise<void> => {
  const error = await rejectionOf(parseSigningKeySet(secret, SECRET_NAME));
  expect(error).toBeInstanceOf(ConfigurationError);
  const text = errorText(error);
  expect(text).toContain(SECRET_NAME);
  expect(text).toContain(mentions);
  for (const key of [keyA, keyB, keyC]) expect(text).not.toContain(key.privateJwk.d);
};

describe('parseSigningKeySet', () => {
  it('imports the current key pair and the previous public key, with their public JWKs', async () => {
    const set = await keySetOf(keyA, keyB);
    expect(set.current.kid).toBe(keyA.kid);
    expect(set.current.privateKey.type).toBe('private');
    expect(set.current.privateKey.extractable).toBe(false);
    expect(set.current.privateKey.usages).toEqual(['sign']);
    expect(set.current.publicKey.type).toBe('public');
    expect(set.current.publicJwk).toStrictEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: keyA.privateJwk.x,
      kid: keyA.kid,
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(set.previous?.kid).toBe(keyB.kid);
    expect(set.previous?.publicKey.type).toBe('public');
    expect(set.previous).not.toHaveProperty('privateKey');
  });

  it('finds the verification key by kid, current or previous, and nothing else', async () => {
    const set = await keySetOf(keyA, keyB);
    expect(set.verificationKey(keyA.kid)).toBe(set.current.publicKey);
    expect(set.verificationKey(keyB.kid)).toBe(set.previous?.publicKey);
    expect(set.verificationKey(keyC.kid)).toBeUndefined();
    expect(set.verificationKey('')).toBeUndefined();
    expect(set.verificationKey('__proto__')).toBeUndefined();
  });

  it('accepts a previous key given as a private JWK, keeping only its public half', async () => {
    const set = await parseSigningKeySet(
      {
        current: { kid: keyA.kid, privateJwk: keyA.privateJwk },
        previous: { kid: keyB.kid, privateJwk: keyB.privateJwk },
      },
      SECRET_NAME,
    );
    expect(set.previous?.publicKey.type).toBe('public');
    expect(set.previous?.publicJwk.x).toBe(keyB.privateJwk.x);
    expect(JSON.stringify(set)).not.toContain(keyB.privateJwk.d);
  });

  it('imports once per content: the same object, or a copy of it, returns the very same key set', async () => {
    const secret = secretOf(keyC, keyA);
    const first = await parseSigningKeySet(secret, SECRET_NAME);
    const again = await parseSigningKeySet(secret, SECRET_NAME);
    const copy = await parseSigningKeySet(structuredClone(secret), 'another-name-for-the-same-secret');
    const concurrent = await Promise.all(
      [1, 2, 3].map(() => parseSigningKeySet(structuredClone(secret), SECRET_NAME)),
    );
    expect(again).toBe(first);
    expect(copy).toBe(first);
    for (const set of concurrent) expect(set).toBe(first);
    // Different content is a different set.
    expect(await parseSigningKeySet(secretOf(keyC), SECRET_NAME)).not.toBe(first);
  });

  it('refuses content that is not an object', async () => {
    for (const secret of [null, 'x', 42, [], undefined]) await expectRefused(secret, 'signing key secret');
  });

  it('refuses a key that is not OKP Ed25519, naming the field and not the value', async () => {
    const { privateJwk } = keyA;
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...privateJwk, kty: 'EC' } } },
      'current.privateJwk.kty',
    );
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...privateJwk, crv: 'X25519' } } },
      'current.privateJwk.crv',
    );
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...privateJwk, crv: 'Ed448' } } },
      'current.privateJwk.crv',
    );
  });

  it('refuses a current key without d, or with d or x of the wrong length or alphabet', async () => {
    const { d: _d, ...publicOnly } = keyA.privateJwk;
    await expectRefused({ current: { kid: keyA.kid, privateJwk: publicOnly } }, 'current.privateJwk.d');
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, d: `${keyA.privateJwk.d}A` } } },
      'current.privateJwk.d',
    );
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, d: `${keyA.privateJwk.d.slice(1)}=` } } },
      'current.privateJwk.d',
    );
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, x: keyA.privateJwk.x.slice(2) } } },
      'current.privateJwk.x',
    );
  });

  it('refuses a private key whose x does not belong to its d', async () => {
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, x: keyB.privateJwk.x } } },
      'current.privateJwk',
    );
  });

  it('refuses bad kids: too short, too long, odd characters, equal current and previous', async () => {
    for (const kid of ['short', 'k'.repeat(65), 'key 2026 11', 'key/2026/11', 'kéy-2026-11']) {
      await expectRefused({ current: { kid, privateJwk: keyA.privateJwk } }, 'current.kid');
    }
    await expectRefused(
      {
        current: { kid: keyA.kid, privateJwk: keyA.privateJwk },
        previous: { kid: keyA.kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: keyB.privateJwk.x } },
      },
      'previous.kid: current and previous must have different kids',
    );
  });

  it('refuses unknown members, a JWK kid that contradicts the entry, and a previous key in two forms', async () => {
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: keyA.privateJwk }, next: {} },
      'unrecognized_keys',
    );
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, p: 'x' } } },
      'unrecognized_keys',
    );
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, kid: keyB.kid } } },
      'current.privateJwk.kid: privateJwk.kid differs from kid',
    );
    await expectRefused(
      {
        current: { kid: keyA.kid, privateJwk: keyA.privateJwk },
        previous: {
          kid: keyB.kid,
          publicJwk: { kty: 'OKP', crv: 'Ed25519', x: keyB.privateJwk.x },
          privateJwk: keyB.privateJwk,
        },
      },
      'exactly one',
    );
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: keyA.privateJwk }, previous: { kid: keyB.kid } },
      'exactly one',
    );
  });

  it('accepts JWKs that repeat the kid of their entry', async () => {
    const set = await parseSigningKeySet(
      {
        current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, kid: keyA.kid } },
        previous: {
          kid: keyB.kid,
          publicJwk: { kty: 'OKP', crv: 'Ed25519', x: keyB.privateJwk.x, kid: keyB.kid },
        },
      },
      SECRET_NAME,
    );
    expect([set.current.kid, set.previous?.kid]).toEqual([keyA.kid, keyB.kid]);
  });

  it('accepts the JWK metadata members a key tool writes: alg EdDSA or Ed25519, use sig', async () => {
    for (const metadata of [
      { alg: 'EdDSA' },
      { alg: 'Ed25519' },
      { use: 'sig' },
      { key_ops: ['sign'], ext: true },
    ]) {
      const set = await parseSigningKeySet(
        {
          current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, ...metadata } },
          previous: {
            kid: keyB.kid,
            publicJwk: { kty: 'OKP', crv: 'Ed25519', x: keyB.privateJwk.x, ...metadata },
          },
        },
        SECRET_NAME,
      );
      expect(set.current.kid).toBe(keyA.kid);
    }
  });

  it('refuses JWK metadata for another algorithm or use', async () => {
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, alg: 'RS256' } } },
      'current.privateJwk.alg',
    );
    await expectRefused(
      { current: { kid: keyA.kid, privateJwk: { ...keyA.privateJwk, use: 'enc' } } },
      'current.privateJwk.use',
    );
  });

  it('refuses a previous public JWK whose kid contradicts its entry', async () => {
    await expectRefused(
      {
        current: { kid: keyA.kid, privateJwk: keyA.privateJwk },
        previous: {
          kid: keyB.kid,
          publicJwk: { kty: 'OKP', crv: 'Ed25519', x: keyB.privateJwk.x, kid: keyC.kid },
        },
      },
      'the JWK kid differs from kid',
    );
  });

  it('imports keys nobody can export: the private key never leaves the runtime', async () => {
    const set = await keySetOf(keyA, keyB);
    expect(set.current.privateKey.extractable).toBe(false);
    expect(set.current.publicKey.extractable).toBe(false);
    expect(set.previous?.publicKey.extractable).toBe(false);
  });

  it('does not remember a failed import: the corrected secret then loads', async () => {
    const broken = { current: { kid: keyB.kid, privateJwk: { ...keyB.privateJwk, x: keyC.privateJwk.x } } };
    await expectRefused(broken, 'current.privateJwk');
    await expectRefused(structuredClone(broken), 'current.privateJwk');
    const fixed = await parseSigningKeySet(secretOf(keyB), SECRET_NAME);
    expect(fixed.current.kid).toBe(keyB.kid);
  });
});

describe('generateSigningKey', () => {
  it('returns a kid and a private JWK with exactly kty, crv, x and d, which parses', async () => {
    const generated = await generateSigningKey('key-2026-12-a');
    expect(generated.kid).toBe('key-2026-12-a');
    expect(Object.keys(generated.privateJwk).sort()).toEqual(['crv', 'd', 'kty', 'x']);
    expect(generated.privateJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    const set = await parseSigningKeySet({ current: generated }, SECRET_NAME);
    expect(set.current.publicJwk.x).toBe(generated.privateJwk.x);
  });

  it('generates a different key every time', async () => {
    const [one, two] = await Promise.all([
      generateSigningKey('key-one-0001'),
      generateSigningKey('key-two-0002'),
    ]);
    expect(one.privateJwk.d).not.toBe(two.privateJwk.d);
  });

  it('refuses a kid the secret format would refuse (a caller mistake: TypeError)', async () => {
    await expect(generateSigningKey('short')).rejects.toThrow(TypeError);
    await expect(generateSigningKey('key/2026')).rejects.toThrow(/kid must match/);
  });
});

describe('assertProductionSigningKeys', () => {
  it('refuses a development key as current or previous, naming the secret', async () => {
    const dev = await generateSigningKey(`${DEVELOPMENT_KID_PREFIX}local-0001`);
    const devCurrent = await parseSigningKeySet({ current: dev }, SECRET_NAME);
    expect(() => assertProductionSigningKeys(devCurrent, SECRET_NAME)).toThrow(ConfigurationError);
    expect(() => assertProductionSigningKeys(devCurrent, SECRET_NAME)).toThrow(`${SECRET_NAME}: current`);

    const devPrevious = await parseSigningKeySet(
      {
        current: keyA,
        previous: { kid: dev.kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: dev.privateJwk.x } },
      },
      SECRET_NAME,
    );
    expect(() => assertProductionSigningKeys(devPrevious, SECRET_NAME)).toThrow(`${SECRET_NAME}: previous`);
  });

  it('accepts production keys, with or without a previous key', async () => {
    const set = await keySetOf(keyA, keyB);
    expect(() => assertProductionSigningKeys(set, SECRET_NAME)).not.toThrow();
    const currentOnly = await keySetOf(keyA);
    expect(() => assertProductionSigningKeys(currentOnly, SECRET_NAME)).not.toThrow();
  });
});

type JwksModule = typeof import('../../../../shared/auth/tokens/jwks.js');

describe('jwksOf', () => {
  // Loaded afresh for each test, so the member picker (a module constant) is mutation-tested too.
  let jwksOf: JwksModule['jwksOf'];
  beforeEach(async () => {
    ({ jwksOf } = await importFresh<JwksModule>(
      new URL('../../../../shared/auth/tokens/jwks.js', import.meta.url),
    ));
  });

  it('publishes the current key first, then the previous, with only the public members', async () => {
    const set = await keySetOf(keyA, keyB);
    expect(jwksOf(set)).toStrictEqual({
      keys: [
        { kty: 'OKP', crv: 'Ed25519', x: keyA.privateJwk.x, kid: keyA.kid, alg: 'EdDSA', use: 'sig' },
        { kty: 'OKP', crv: 'Ed25519', x: keyB.privateJwk.x, kid: keyB.kid, alg: 'EdDSA', use: 'sig' },
      ],
    });
    expect(jwksOf(await keySetOf(keyA)).keys).toHaveLength(1);
  });

  it('never contains d, even when the previous key was stored as a private JWK', async () => {
    const set = await parseSigningKeySet(
      { current: keyA, previous: { kid: keyB.kid, privateJwk: keyB.privateJwk } },
      SECRET_NAME,
    );
    const document = JSON.stringify(jwksOf(set));
    expect(document).not.toContain('"d"');
    expect(document).not.toContain(keyA.privateJwk.d);
    expect(document).not.toContain(keyB.privateJwk.d);
    for (const jwk of jwksOf(set).keys) expect(jwk).not.toHaveProperty('d');
  });
});

describe('signingKeySetFrom', () => {
  it('reads the secret through the store on every call and returns the memoised set', async () => {
    const store = inMemorySecretStore({ [SECRET_NAME]: secretOf(keyA) });
    const keys = signingKeySetFrom(store, SECRET_NAME);
    const first = await keys();
    expect(await keys()).toBe(first);
    expect(store.requests).toEqual([SECRET_NAME, SECRET_NAME]);
    store.put(SECRET_NAME, secretOf(keyB, keyA));
    const rotated = await keys();
    expect(rotated.current.kid).toBe(keyB.kid);
    expect(rotated.previous?.kid).toBe(keyA.kid);
  });
});
