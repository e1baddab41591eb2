import { createHash } from 'node:crypto';

/** Fills a buffer of `byteLength` cryptographically random bytes (node:crypto `randomBytes` in production). */
export type RandomBytes = (byteLength: number) => Uint8Array;

const prefix = 'brt_';
const familyIdBytes = 16;
const secretBytes = 32;
const sessionIdBytes = 16;
/** base64url without padding: 16 bytes → 22 characters, 32 bytes → 43. */
const familyIdLength = 22;
const secretLength = 43;
/** `brt_` + family id + `.` + secret: every valid token has exactly this length. */
export const refreshTokenLength = prefix.length + familyIdLength + 1 + secretLength;

/** Anchored at both ends, so it alone fixes the length: exactly `refreshTokenLength` characters. */
const tokenPattern = /^brt_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;
/** Anchored at both ends, so it alone fixes the length: exactly 22 characters. */
const sessionIdPattern = /^[A-Za-z0-9_-]{22}$/;

/** A refresh token split into its parts; only `secretHash` is ever compared or stored. */
export interface ParsedRefreshToken {
  readonly familyId: string;
  /** base64url SHA-256 of the 32 secret bytes. */
  readonly secretHash: string;
}

/** True iff `text` is the unpadded base64url encoding that `Buffer` itself produces for its bytes. */
const isCanonicalBase64Url = (text: string): boolean =>
  Buffer.from(text, 'base64url').toString('base64url') === text;

const hashSecret = (secret: Uint8Array): string => createHash('sha256').update(secret).digest('base64url');

const randomOf = (random: RandomBytes, byteLength: number): Buffer => {
  const bytes = random(byteLength);
  if (!(bytes instanceof Uint8Array) || bytes.length !== byteLength) {
    throw new TypeError(`random must return a Uint8Array of ${byteLength} bytes`);
  }
  return Buffer.from(bytes);
};

/**
 * Parses a presented refresh token without any I/O. Anything that is not exactly
 * `brt_<22 base64url>.<43 base64url>` in canonical encoding is undefined, so a malformed token never
 * costs a DynamoDB call and never reaches the reuse detector (a non-canonical spelling of a real secret
 * would otherwise hash differently and look like a forged one).
 */
export const parseRefreshToken = (token: unknown): ParsedRefreshToken | undefined => {
  if (typeof token !== 'string' || !tokenPattern.test(token)) return undefined;
  const familyId = token.slice(prefix.length, prefix.length + familyIdLength);
  const secret = token.slice(-secretLength);
  if (!isCanonicalBase64Url(familyId) || !isCanonicalBase64Url(secret)) return undefined;
  return { familyId, secretHash: hashSecret(Buffer.from(secret, 'base64url')) };
};

/** A fresh token for `familyId`, with the hash that is stored in its place. */
export const issueRefreshToken = (
  familyId: string,
  random: RandomBytes,
): { readonly refreshToken: string; readonly secretHash: string } => {
  const secret = randomOf(random, secretBytes);
  return {
    refreshToken: `${prefix}${familyId}.${secret.toString('base64url')}`,
    secretHash: hashSecret(secret),
  };
};

export const newFamilyId = (random: RandomBytes): string =>
  randomOf(random, familyIdBytes).toString('base64url');

export const newSessionId = (random: RandomBytes): string =>
  randomOf(random, sessionIdBytes).toString('base64url');

/** 22 characters of canonical base64url (16 random bytes): the only shape a session id has. */
export const isSessionId = (sessionId: unknown): sessionId is string =>
  typeof sessionId === 'string' && sessionIdPattern.test(sessionId) && isCanonicalBase64Url(sessionId);

/**
 * Session ids reach the domain only from access tokens the verifier accepted, and it refuses any other
 * shape, so a malformed one here is a caller bug.
 */
export const assertSessionId = (sessionId: unknown): string => {
  if (!isSessionId(sessionId)) {
    throw new TypeError('sessionId must be 22 characters of canonical base64url (16 bytes)');
  }
  return sessionId;
};
