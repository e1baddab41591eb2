import type { SecretStore } from '../../adapters/secrets/secret-store.js';
import { parseSigningKeySet, type SigningKeySet } from './signing-key-set.js';

/**
 * The `keys` source for the issuer and verifier: reads the secret through the (cached) store and
 * parses it. Parsing is memoised by content, so a call costs a cache lookup and a digest, and a
 * rotated secret is picked up when the store's cache expires.
 */
export const signingKeySetFrom =
  (store: SecretStore, secretId: string): (() => Promise<SigningKeySet>) =>
  async () =>
    parseSigningKeySet(await store.getSecretJson(secretId), secretId);

/**
 * The same, past the cache: used once a token names a key id the cached set does not know, which is
 * what an instance sees in the minutes after a rotation until its cache expires.
 */
export const freshSigningKeySetFrom =
  (store: SecretStore, secretId: string): (() => Promise<SigningKeySet>) =>
  async () =>
    parseSigningKeySet(await (store.refreshSecretJson ?? store.getSecretJson)(secretId), secretId);
