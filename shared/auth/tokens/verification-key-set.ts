import { createHash } from 'node:crypto';
import type { CryptoKey } from 'jose';
import * as z from 'zod';
import { ConfigurationError } from '../../config/configuration-error.js';
import { describeKeyIssues } from './describe-key-issues.js';
import { importEd25519Key } from './import-ed25519-key.js';
import {
  DEVELOPMENT_KID_PREFIX,
  ED25519_KEY_MEMBER_PATTERN,
  KID_PATTERN,
  type PublicSigningJwk,
  publicJwkOf,
} from './signing-key-set.js';

/** What a verifier needs: public keys by kid. It holds no private key, so nothing can sign with it. */
export interface VerificationKeySet {
  /** The public JWKs in publication order (what the JWKS document lists). */
  readonly publicJwks: readonly PublicSigningJwk[];
  /** The public key for a token's `kid`, or undefined when the set does not hold it. */
  readonly verificationKey: (kid: string) => CryptoKey | undefined;
}

/**
 * At most what one signing-key set holds (current and previous). The rotation publishes exactly the
 * public halves of the set it is about to make current, so more keys would mean the two secrets
 * have drifted apart.
 */
export const MAX_VERIFICATION_KEYS = 2;

/** Exactly the members the JWKS publishes, all required: an entry can hold nothing else, above all `d`. */
const publicKeySchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(ED25519_KEY_MEMBER_PATTERN),
  kid: z.string().regex(KID_PATTERN),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});

const secretSchema = z
  .strictObject({ keys: z.array(publicKeySchema).min(1).max(MAX_VERIFICATION_KEYS) })
  .refine((secret) => new Set(secret.keys.map((key) => key.kid)).size === secret.keys.length, {
    message: 'two keys share a kid',
    path: ['keys'],
  })
  .refine((secret) => new Set(secret.keys.map((key) => key.x)).size === secret.keys.length, {
    message: 'two kids name the same key',
    path: ['keys'],
  });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether any entry of `keys` carries a private member: named on its own, it is the one that matters. */
const holdsPrivateMember = (secretJson: unknown): boolean =>
  isRecord(secretJson) &&
  Array.isArray(secretJson.keys) &&
  secretJson.keys.some(
    (key) => isRecord(key) && ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((m) => m in key),
  );

/** Imports per distinct content, like the signing set: a refreshed cache entry costs no new import. */
const memoLimit = 4;
const memo = new Map<string, Promise<VerificationKeySet>>();

const importSet = async (
  keys: readonly { readonly kid: string; readonly x: string }[],
  secretName: string,
): Promise<VerificationKeySet> => {
  const imported = await Promise.all(
    keys.map((key, index) =>
      importEd25519Key({ kty: 'OKP', crv: 'Ed25519', x: key.x }, secretName, `keys.${index}`),
    ),
  );
  const byKid = new Map(keys.map((key, index) => [key.kid, imported[index]] as const));
  return Object.freeze({
    publicJwks: Object.freeze(keys.map((key) => publicJwkOf(key.kid, key.x))),
    verificationKey: (kid: string): CryptoKey | undefined => byKid.get(kid),
  });
};

/**
 * Validates the verification-key secret (a JWKS document `{ "keys": [ { kty, crv, x, kid, alg, use } ] }`
 * of one or two Ed25519 public keys, ADR 0006) and imports its keys, once per distinct content. Bad
 * content throws ConfigurationError naming the secret and the fields, never a value. An entry with a
 * private member (`d`) is refused outright: this secret is readable by every verifier.
 */
export const parseVerificationKeySet = async (
  secretJson: unknown,
  secretName: string,
): Promise<VerificationKeySet> => {
  if (isRecord(secretJson) && typeof secretJson.uninitialised === 'string') {
    throw new ConfigurationError(
      secretName,
      'verification key secret is not initialised yet (the signing-key rotation writes it on deploy)',
    );
  }
  if (holdsPrivateMember(secretJson)) {
    throw new ConfigurationError(
      secretName,
      'verification key secret holds a private key member; it must hold public keys only',
    );
  }
  const result = secretSchema.safeParse(secretJson);
  if (!result.success) {
    throw new ConfigurationError(
      secretName,
      `verification key secret is not valid (${describeKeyIssues(result.error.issues)})`,
    );
  }
  const keys = result.data.keys.map((key) => ({ kid: key.kid, x: key.x }));
  const digest = createHash('sha256').update(JSON.stringify(keys), 'utf8').digest('base64url');
  const known = memo.get(digest);
  if (known !== undefined) return known;
  const imported = importSet(keys, secretName);
  memo.set(digest, imported);
  if (memo.size > memoLimit) {
    const oldest = memo.keys().next();
    if (oldest.done !== true) memo.delete(oldest.value);
  }
  // A failed import is not remembered: the next call (with a fixed secret) tries again.
  imported.catch(() => {
    if (memo.get(digest) === imported) memo.delete(digest);
  });
  return imported;
};

/**
 * Production refuses kids generated by `npm start` among the public keys too: a verifier that trusts a
 * development key accepts tokens whose private key lives on a developer machine.
 */
export const assertProductionVerificationKeys = (set: VerificationKeySet, secretName: string): void => {
  if (set.publicJwks.some((jwk) => jwk.kid.startsWith(DEVELOPMENT_KID_PREFIX))) {
    throw new ConfigurationError(
      secretName,
      'a verification key is a development key generated by npm start',
    );
  }
};
