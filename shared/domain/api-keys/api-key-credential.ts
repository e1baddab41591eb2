import { randomBytes } from 'node:crypto';

/** Public, recognisable prefix: secret scanners (GitHub custom patterns, gitleaks) can find leaked keys. */
export const API_KEY_ID_PREFIX = 'bwk_';
/** Random part of a key id: 20 base32 characters, 5 bits each: 100 bits. */
export const API_KEY_ID_RANDOM_LENGTH = 20;
/** Secret: 32 random bytes, base64url without padding: 43 characters, 256 bits. */
export const API_KEY_SECRET_BYTES = 32;
export const API_KEY_SECRET_LENGTH = 43;
/** `key_id:secret`, and nothing else: 68 characters. */
export const API_KEY_CREDENTIAL_LENGTH =
  API_KEY_ID_PREFIX.length + API_KEY_ID_RANDOM_LENGTH + 1 + API_KEY_SECRET_LENGTH;

/** The pattern the ADR gives secret scanners, anchored. */
export const API_KEY_CREDENTIAL_PATTERN = /^(bwk_[a-z2-7]{20}):([A-Za-z0-9_-]{43})$/;
export const API_KEY_ID_PATTERN = /^bwk_[a-z2-7]{20}$/;

const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

/** Random bytes; injectable so tests can pin ids. Must be a CSPRNG in production. */
export type RandomBytes = (size: number) => Buffer;

export interface ApiKeyCredential {
  readonly keyId: string;
  readonly secret: string;
}

/**
 * Splits a presented credential into id and secret, or returns undefined. Pure and bounded: the length
 * is checked before the regex, and nothing is trimmed or decoded, so a malformed value costs no I/O.
 */
export const parseApiKeyCredential = (value: string): ApiKeyCredential | undefined => {
  if (typeof value !== 'string' || value.length !== API_KEY_CREDENTIAL_LENGTH) return undefined;
  const match = API_KEY_CREDENTIAL_PATTERN.exec(value);
  const keyId = match?.[1];
  const secret = match?.[2];
  return keyId === undefined || secret === undefined ? undefined : { keyId, secret };
};

/** 256 divides by 32, so the low 5 bits of each byte are uniform: no modulo bias. */
export const generateApiKeyId = (random: RandomBytes = randomBytes): string => {
  const bytes = random(API_KEY_ID_RANDOM_LENGTH);
  if (bytes.length !== API_KEY_ID_RANDOM_LENGTH) throw new TypeError('random() returned the wrong size');
  let id = API_KEY_ID_PREFIX;
  for (const byte of bytes) id += base32Alphabet[byte & 31];
  return id;
};

export const generateApiKeySecret = (random: RandomBytes = randomBytes): string => {
  const bytes = random(API_KEY_SECRET_BYTES);
  if (bytes.length !== API_KEY_SECRET_BYTES) throw new TypeError('random() returned the wrong size');
  return bytes.toString('base64url');
};

export const formatApiKeyCredential = (credential: ApiKeyCredential): string =>
  `${credential.keyId}:${credential.secret}`;
