import { createHmac, timingSafeEqual } from 'node:crypto';

/** The pepper is a Secrets Manager value; shorter than this is a misconfiguration, not a key problem. */
export const API_KEY_PEPPER_MIN_LENGTH = 32;

/**
 * HMAC-SHA-256(pepper, secret), base64url (43 characters). The secret has 256 random bits, so a fast
 * keyed hash is enough; the pepper means a copy of the table alone cannot test a guess.
 */
export const hashApiKeySecret = (pepper: string, secret: string): string =>
  createHmac('sha256', pepper).update(secret, 'utf8').digest('base64url');

/**
 * Constant-time comparison of two base64url digests. Buffers of unequal length (a damaged stored hash)
 * still cost one comparison, of the presented digest with itself, and then fail.
 */
export const secretHashMatches = (presentedHash: string, storedHash: string): boolean => {
  const presented = Buffer.from(presentedHash, 'utf8');
  const stored = Buffer.from(storedHash, 'utf8');
  if (presented.length !== stored.length) {
    timingSafeEqual(presented, presented);
    return false;
  }
  return timingSafeEqual(presented, stored);
};
