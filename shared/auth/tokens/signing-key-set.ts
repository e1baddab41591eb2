import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';
import * as z from 'zod/mini';
import { builtOnFirstUse } from '../../domain/built-on-first-use.js';
import { ConfigurationError } from '../../errors/configuration-error.js';
import { DEVELOPMENT_SECRET_PREFIX } from '../assert-strong-secret.js';
import { describeKeyIssues } from './describe-key-issues.js';
import { importEd25519Key } from './import-ed25519-key.js';
import { importOncePerContent } from './import-once-per-content.js';
import type { VerificationKeySet } from './verification-key-set.js';

/** Kids `npm start` generates start with this, so production can recognise and refuse them. */
export const DEVELOPMENT_KID_PREFIX: string = DEVELOPMENT_SECRET_PREFIX;

export const KID_PATTERN = /^[A-Za-z0-9._-]{8,64}$/;

/** An Ed25519 key member (`x` or `d`): 32 bytes in unpadded base64url is exactly 43 characters. */
export const ED25519_KEY_MEMBER_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The only signing algorithm: Ed25519 (ADR 0006). */
export const SIGNING_ALGORITHM = 'EdDSA';

/** What the JWKS publishes for one key. Built from validated fields only: it can never hold `d`. */
export interface PublicSigningJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/** An Ed25519 private JWK as stored in the secret. */
export interface PrivateSigningJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly d: string;
}

export interface CurrentSigningKey {
  readonly kid: string;
  /** Non-extractable; usable only to sign. */
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: PublicSigningJwk;
}

export interface PreviousSigningKey {
  readonly kid: string;
  readonly publicKey: CryptoKey;
  readonly publicJwk: PublicSigningJwk;
}

/** The issuer's set. It also verifies (the rotation's testSecret uses that), but verifiers never get it. */
export interface SigningKeySet extends VerificationKeySet {
  /** Signs every new token. */
  readonly current: CurrentSigningKey;
  /** The key before the last rotation: still verifies, never signs. */
  readonly previous: PreviousSigningKey | undefined;
}

const jwkKidMatches = (entry: { kid: string; jwk: { kid?: string | undefined } }): boolean =>
  entry.jwk.kid === undefined || entry.jwk.kid === entry.kid;

/**
 * The secret's schema, built on first use: every authenticated function loads this module for the
 * patterns and the public JWK shape, only the issuers (login, refresh, the rotation) parse a signing-key secret.
 */
const buildSecretSchema = () => {
  const keyBytes = z.string().check(z.regex(ED25519_KEY_MEMBER_PATTERN));
  const kid = z.string().check(z.regex(KID_PATTERN));

  /** Members a JWK may carry besides the key itself; they are checked, then ignored on import. */
  const jwkMetadata = {
    kid: z.optional(kid),
    alg: z.optional(z.literal(['EdDSA', 'Ed25519'])),
    use: z.optional(z.literal('sig')),
    key_ops: z.optional(z.array(z.string())),
    ext: z.optional(z.boolean()),
  };

  const publicJwkSchema = z.strictObject({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: keyBytes,
    ...jwkMetadata,
  });

  const privateJwkSchema = z.extend(publicJwkSchema, { d: keyBytes });

  const currentSchema = z.strictObject({ kid, privateJwk: privateJwkSchema }).check(
    z.refine((entry) => jwkKidMatches({ kid: entry.kid, jwk: entry.privateJwk }), {
      message: 'privateJwk.kid differs from kid',
      path: ['privateJwk', 'kid'],
    }),
  );

  const previousSchema = z
    .strictObject({ kid, publicJwk: z.optional(publicJwkSchema), privateJwk: z.optional(privateJwkSchema) })
    .check(
      z.refine((entry) => (entry.publicJwk === undefined) !== (entry.privateJwk === undefined), {
        message: 'must hold exactly one of publicJwk and privateJwk',
      }),
      z.refine((entry) => jwkKidMatches({ kid: entry.kid, jwk: entry.publicJwk ?? entry.privateJwk ?? {} }), {
        message: 'the JWK kid differs from kid',
      }),
    );

  return z.strictObject({ current: currentSchema, previous: z.optional(previousSchema) }).check(
    z.refine((secret) => secret.previous === undefined || secret.previous.kid !== secret.current.kid, {
      message: 'current and previous must have different kids',
      path: ['previous', 'kid'],
    }),
  );
};
const secretSchema = builtOnFirstUse(buildSecretSchema);

/** Only the fields that define the keys, in a fixed order: what the memo is keyed on. */
interface CanonicalKeySet {
  readonly current: { readonly kid: string; readonly x: string; readonly d: string };
  readonly previous: { readonly kid: string; readonly x: string } | undefined;
}

/** The JWK the JWKS publishes for one key, built from validated fields only. */
export const publicJwkOf = (keyId: string, x: string): PublicSigningJwk =>
  Object.freeze({ kty: 'OKP', crv: 'Ed25519', x, kid: keyId, alg: 'EdDSA', use: 'sig' });

const importKeySet = async (canonical: CanonicalKeySet, secretName: string): Promise<SigningKeySet> => {
  const { current, previous } = canonical;
  const [privateKey, publicKey, previousKey] = await Promise.all([
    importEd25519Key(
      { kty: 'OKP', crv: 'Ed25519', x: current.x, d: current.d },
      secretName,
      'current.privateJwk',
    ),
    importEd25519Key({ kty: 'OKP', crv: 'Ed25519', x: current.x }, secretName, 'current.privateJwk.x'),
    previous === undefined
      ? undefined
      : importEd25519Key({ kty: 'OKP', crv: 'Ed25519', x: previous.x }, secretName, 'previous'),
  ]);
  const currentKey: CurrentSigningKey = Object.freeze({
    kid: current.kid,
    privateKey,
    publicKey,
    publicJwk: publicJwkOf(current.kid, current.x),
  });
  const previousEntry: PreviousSigningKey | undefined =
    previous === undefined || previousKey === undefined
      ? undefined
      : Object.freeze({
          kid: previous.kid,
          publicKey: previousKey,
          publicJwk: publicJwkOf(previous.kid, previous.x),
        });
  return Object.freeze({
    current: currentKey,
    previous: previousEntry,
    publicJwks: Object.freeze(
      previousEntry === undefined ? [currentKey.publicJwk] : [currentKey.publicJwk, previousEntry.publicJwk],
    ),
    verificationKey: (keyId: string): CryptoKey | undefined => {
      if (keyId === currentKey.kid) return currentKey.publicKey;
      if (previousEntry !== undefined && keyId === previousEntry.kid) return previousEntry.publicKey;
      return undefined;
    },
  });
};

/** One import per distinct key content (the secret name only labels errors). */
const importCanonical = importOncePerContent(4, importKeySet);

/**
 * Validates the signing-key secret and imports its keys, once per distinct content. Secret format:
 * `{ "current": { "kid", "privateJwk" }, "previous"?: { "kid", "publicJwk" | "privateJwk" } }` with
 * Ed25519 OKP JWKs. Bad content throws ConfigurationError naming the secret and the fields, never a
 * value. Only the current private key is imported; a previous private key is reduced to its public half.
 */
export const parseSigningKeySet = async (secretJson: unknown, secretName: string): Promise<SigningKeySet> => {
  const result = secretSchema().safeParse(secretJson);
  if (!result.success) {
    throw new ConfigurationError(
      secretName,
      `signing key secret is not valid (${describeKeyIssues(result.error.issues)})`,
    );
  }
  const { current, previous } = result.data;
  const previousJwk = previous?.publicJwk ?? previous?.privateJwk;
  const canonical: CanonicalKeySet = {
    current: { kid: current.kid, x: current.privateJwk.x, d: current.privateJwk.d },
    previous:
      previous === undefined || previousJwk === undefined
        ? undefined
        : { kid: previous.kid, x: previousJwk.x },
  };
  return importCanonical(canonical, secretName);
};

/**
 * A fresh Ed25519 key in the secret's format, for the local stack and the rotation function. The
 * private JWK carries only kty, crv, x and d.
 */
export const generateSigningKey = async (
  keyId: string,
): Promise<{ readonly kid: string; readonly privateJwk: PrivateSigningJwk }> => {
  if (!KID_PATTERN.test(keyId)) {
    throw new TypeError(`kid must match ${KID_PATTERN}`);
  }
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  if (typeof jwk.x !== 'string' || typeof jwk.d !== 'string') {
    throw new TypeError('the generated key did not export as an OKP private JWK');
  }
  return { kid: keyId, privateJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d } };
};

/** Production refuses keys generated by `npm start`: their private halves live on developer machines. */
export const assertProductionSigningKeys = (set: SigningKeySet, secretName: string): void => {
  for (const [label, keyId] of [
    ['current', set.current.kid],
    ['previous', set.previous?.kid],
  ] as const) {
    if (keyId?.startsWith(DEVELOPMENT_KID_PREFIX) === true) {
      throw new ConfigurationError(
        secretName,
        `${label} signing key is a development key generated by npm start`,
      );
    }
  }
};
