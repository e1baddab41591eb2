import type { SecretStore } from '../../adapters/secrets/secret-store.js';
import { parseSigningKeySet, type SigningKeySet } from './signing-key-set.js';

/**
 * The parsed set per secret value. The cached secret store hands out the same object until its TTL
 * ends, so the per-request cost is one lookup here, not a validation and digest of the secret.
 */
const parsedSets = new WeakMap<object, Promise<SigningKeySet>>();

const parsedOnce = (secret: Readonly<Record<string, unknown>>, secretId: string): Promise<SigningKeySet> => {
  let parsed = parsedSets.get(secret);
  if (parsed === undefined) {
    parsed = parseSigningKeySet(secret, secretId);
    parsedSets.set(secret, parsed);
    // A secret that fails to parse is tried again on the next call, not remembered as broken.
    parsed.catch(() => parsedSets.delete(secret));
  }
  return parsed;
};

/**
 * The `keys` source for the issuer and verifier: reads the secret through the (cached) store and
 * parses it once per value, so a rotated secret is picked up when the store's cache expires.
 */
export const signingKeySetFrom =
  (store: SecretStore, secretId: string): (() => Promise<SigningKeySet>) =>
  async () =>
    parsedOnce(await store.getSecretJson(secretId), secretId);

/**
 * The same, past the cache: used once a token names a key id the cached set does not know, which is
 * what an instance sees in the minutes after a rotation until its cache expires.
 */
export const freshSigningKeySetFrom =
  (store: SecretStore, secretId: string): (() => Promise<SigningKeySet>) =>
  async () =>
    parsedOnce(await (store.refreshSecretJson ?? store.getSecretJson)(secretId), secretId);
