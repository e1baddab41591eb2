/**
 * The verification-key secret (the public JWKS every verifier and the JWKS route read): strict parsing
 * that refuses any private member, the development-key refusal, and the verifier's unknown-kid refresh
 * reading this secret, past the cache, and never the private one.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { cachedSecretStore } from '../../../../shared/adapters/secrets/cached-secret-store.js';
import { createAccessTokenIssuer } from '../../../../shared/auth/tokens/issue-access-token.js';
import { jwksOf } from '../../../../shared/auth/tokens/jwks.js';
import { createAccessTokenVerifier } from '../../../../shared/auth/tokens/verify-access-token.js';
import { ConfigurationError } from '../../../../shared/errors/configuration-error.js';
import { importFresh } from '../../../support/import-fresh.js';
import { inMemorySecretStore, manualClock } from '../../../support/test-runtime.js';
import {
  alice,
  expectRejected,
  type GeneratedKey,
  keyA,
  keyB,
  keyC,
  keySetOf,
  rejectionOf,
  settings,
} from './token-fixtures.js';

type VerificationModule = typeof import('../../../../shared/auth/tokens/verification-key-set.js');
// Loaded afresh for each test, so the secret's schema (a module constant) is mutation-tested too.
let parseVerificationKeySet: VerificationModule['parseVerificationKeySet'];
let assertProductionVerificationKeys: VerificationModule['assertProductionVerificationKeys'];
beforeEach(async () => {
  ({ parseVerificationKeySet, assertProductionVerificationKeys } = await importFresh<VerificationModule>(
    new URL('../../../../shared/auth/tokens/verification-key-set.js', import.meta.url),
  ));
});

const NAME = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/verification-keys-GhIjKl';

const publicEntry = (key: GeneratedKey) => ({
  kty: 'OKP',
  crv: 'Ed25519',
  x: key.privateJwk.x,
  kid: key.kid,
  alg: 'EdDSA',
  use: 'sig',
});

const jwksFor = (...keys: GeneratedKey[]) => ({ keys: keys.map(publicEntry) });

const expectRefused = async (secret: unknown, mentions: RegExp): Promise<ConfigurationError> => {
  const error = await rejectionOf(parseVerificationKeySet(secret, NAME));
  expect(error).toBeInstanceOf(ConfigurationError);
  const text = `${String((error as Error).message)}\n${JSON.stringify(error)}`;
  expect(text).toContain(NAME);
  expect(text).toMatch(mentions);
  for (const key of [keyA, keyB, keyC]) expect(text).not.toContain(key.privateJwk.d);
  return error as ConfigurationError;
};

describe('parseVerificationKeySet', () => {
  it('imports the published public keys in order and finds each by kid, nothing else', async () => {
    const set = await parseVerificationKeySet(jwksFor(keyB, keyA), NAME);
    expect(set.publicJwks.map((jwk) => jwk.kid)).toEqual([keyB.kid, keyA.kid]);
    expect(set.verificationKey(keyA.kid)?.type).toBe('public');
    expect(set.verificationKey(keyB.kid)?.type).toBe('public');
    expect(set.verificationKey(keyC.kid)).toBeUndefined();
    expect(set.verificationKey('__proto__')).toBeUndefined();
    expect(set).not.toHaveProperty('current');
  });

  it('reads back exactly the document jwksOf writes from a signing-key set', async () => {
    const signing = await keySetOf(keyA, keyB);
    const document = JSON.parse(JSON.stringify(jwksOf(signing))) as unknown;
    const set = await parseVerificationKeySet(document, NAME);
    expect(jwksOf(set)).toStrictEqual(jwksOf(signing));
  });

  it('verifies tokens signed by the private set it was derived from', async () => {
    const clock = manualClock();
    const signing = await keySetOf(keyA);
    const issuer = createAccessTokenIssuer({ keys: async () => signing, settings, clock, newId: () => 'j1' });
    const published = await parseVerificationKeySet(jwksOf(signing), NAME);
    const verifier = createAccessTokenVerifier({ keys: async () => published, settings, clock });
    const { token } = await issuer.issue(alice);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: alice.subject });
  });

  it('imports once per distinct content', async () => {
    const first = await parseVerificationKeySet(jwksFor(keyA, keyB), NAME);
    expect(await parseVerificationKeySet(jwksFor(keyA, keyB), NAME)).toBe(first);
    expect(await parseVerificationKeySet(jwksFor(keyB, keyA), NAME)).not.toBe(first);
  });

  it('refuses an entry with d, naming the private member and not its value', async () => {
    const leaked = { keys: [{ ...publicEntry(keyA), d: keyA.privateJwk.d }] };
    await expectRefused(leaked, /holds a private key member/);
  });

  it.each(['p', 'q', 'dp', 'dq', 'qi', 'k'])(
    'refuses an entry with the private member %s as a private key, in any position',
    async (member) => {
      await expectRefused(
        { keys: [publicEntry(keyA), { ...publicEntry(keyB), [member]: 'AAAA' }] },
        /holds a private key member/,
      );
    },
  );

  it.each([null, 'x', 42, [], { keys: [null] }, { keys: ['x'] }, { keys: [[]] }, { keys: 'x' }])(
    'refuses %j as a secret that is not valid, never failing on its shape',
    async (secret) => {
      await expectRefused(secret, /verification key secret is not valid/);
    },
  );

  it.each([
    ['another member', { keys: [{ ...publicEntry(keyA), ext: true }] }, /keys\.0: unrecognized_keys/],
    ['no alg', { keys: [{ ...publicEntry(keyA), alg: undefined }] }, /keys\.0\.alg/],
    ['no use', { keys: [{ ...publicEntry(keyA), use: undefined }] }, /keys\.0\.use/],
    ['another curve', { keys: [{ ...publicEntry(keyA), crv: 'X25519' }] }, /keys\.0\.crv/],
    ['a short x', { keys: [{ ...publicEntry(keyA), x: 'abc' }] }, /keys\.0\.x/],
    ['a bad kid', { keys: [{ ...publicEntry(keyA), kid: 'a b' }] }, /keys\.0\.kid/],
    ['no keys', { keys: [] }, /keys: too_small/],
    ['three keys', jwksFor(keyA, keyB, keyC), /keys: too_big/],
    [
      'a shared kid',
      { keys: [publicEntry(keyA), { ...publicEntry(keyB), kid: keyA.kid }] },
      /keys: two keys share a kid/,
    ],
    [
      'one key under two kids',
      { keys: [publicEntry(keyA), { ...publicEntry(keyA), kid: 'other-kid-1' }] },
      /keys: two kids name the same key/,
    ],
    ['a signing-key set', { current: { kid: keyA.kid, privateJwk: keyA.privateJwk } }, /not valid/],
    ['an array', [publicEntry(keyA)], /not valid/],
  ])('refuses a secret with %s', async (_label, secret, mentions) => {
    await expectRefused(secret, mentions);
  });

  it('says the secret is not initialised while it holds the data stack marker', async () => {
    await expectRefused({ uninitialised: 'Zq3kP0aX9vB2mN7rT4wY8cE1dF6gH5jK' }, /not initialised yet/);
  });
});

describe('assertProductionVerificationKeys', () => {
  it('refuses a development kid in any position and accepts production kids', async () => {
    const development = { ...publicEntry(keyC), kid: 'bulwark-dev-0a1b2c3d4e5f' };
    for (const keys of [
      [development, publicEntry(keyA)],
      [publicEntry(keyA), development],
    ]) {
      const set = await parseVerificationKeySet({ keys }, NAME);
      expect(() => assertProductionVerificationKeys(set, 'JWT_VERIFICATION_KEYS_SECRET_ARN')).toThrow(
        'JWT_VERIFICATION_KEYS_SECRET_ARN: a verification key is a development key generated by npm start',
      );
    }
    const production = await parseVerificationKeySet(jwksFor(keyA, keyB), NAME);
    expect(() => assertProductionVerificationKeys(production, NAME)).not.toThrow();
  });
});

type LoaderModule = typeof import('../../../../shared/auth/tokens/load-verification-key-set.js');

describe('a verifier on the verification secret after a rotation', () => {
  // Loaded afresh for each test, so the loaders (module constants) are mutation-tested too.
  let verificationKeySetFrom: LoaderModule['verificationKeySetFrom'];
  let freshVerificationKeySetFrom: LoaderModule['freshVerificationKeySetFrom'];
  beforeEach(async () => {
    ({ verificationKeySetFrom, freshVerificationKeySetFrom } = await importFresh<LoaderModule>(
      new URL('../../../../shared/auth/tokens/load-verification-key-set.js', import.meta.url),
    ));
  });

  it('refreshes the public set past the cache on an unknown kid, and reads no other secret', async () => {
    const clock = manualClock();
    const store = inMemorySecretStore({ [NAME]: jwksFor(keyA) });
    const cached = cachedSecretStore(store, 300, clock);
    const verifier = createAccessTokenVerifier({
      keys: verificationKeySetFrom(cached, NAME),
      refreshKeys: freshVerificationKeySetFrom(cached, NAME),
      settings,
      clock,
    });
    const rotated = await keySetOf(keyB, keyA);
    const issuer = createAccessTokenIssuer({ keys: async () => rotated, settings, clock, newId: () => 'j' });
    const { token } = await issuer.issue(alice);

    // Cached: keyA only. The rotation has since published keyB; the cache TTL has not run out.
    expect((await verificationKeySetFrom(cached, NAME)()).publicJwks).toHaveLength(1);
    store.put(NAME, { ...jwksOf(rotated) });
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: alice.subject });
    expect(new Set(store.requests)).toEqual(new Set([NAME]));

    // A kid that is published nowhere is still refused, and cannot force another fetch at once.
    const forged = createAccessTokenIssuer({
      keys: async () => keySetOf(keyC),
      settings,
      clock,
      newId: () => 'f',
    });
    const fetches = store.requests.length;
    await expectRejected(verifier, (await forged.issue(alice)).token, 'unknown_kid');
    expect(store.requests.length).toBe(fetches);
  });
});
