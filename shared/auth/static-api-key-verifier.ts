import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretStore } from '../adapters/secrets/secret-store.js';
import { ConfigurationError } from '../config/configuration-error.js';

/** Longer than any key we issue; anything bigger is rejected before hashing. */
const maxPresentedLength = 512;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export interface ApiKeyVerifier {
  /** Loads the key (warming the cache) and returns it, so cold start can check its strength. */
  readonly loadKey: () => Promise<string>;
  readonly verify: (presented: string) => Promise<boolean>;
}

/**
 * The foundation's single API key, held in a secret as `{ "<jsonKey>": "<key>" }`. Comparison is on
 * SHA-256 digests with timingSafeEqual, so neither content nor length leaks through timing.
 */
export const staticApiKeyVerifier = (
  store: SecretStore,
  secretId: string,
  jsonKey: string,
): ApiKeyVerifier => {
  const loadKey = async (): Promise<string> => {
    const secret = await store.getSecretJson(secretId);
    const key = secret[jsonKey];
    if (typeof key !== 'string' || key.length === 0) {
      throw new ConfigurationError(secretId, `secret has no non-empty string field "${jsonKey}"`);
    }
    return key;
  };
  return {
    loadKey,
    verify: async (presented) => {
      const expected = await loadKey();
      if (presented.length > maxPresentedLength) return false;
      return timingSafeEqual(digest(presented), digest(expected));
    },
  };
};
