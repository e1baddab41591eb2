import type { SecretStore } from '../../domain/secret-store.js';

export interface KeySetSource<T> {
  /** Reads the secret through the (cached) store; a rotated secret is picked up when the cache expires. */
  readonly cached: (store: SecretStore, secretId: string) => () => Promise<T>;
  /**
   * The same, past the cache: for a verifier that saw a kid its cached set does not know, which is
   * what an instance sees in the minutes after a rotation until its cache expires.
   */
  readonly fresh: (store: SecretStore, secretId: string) => () => Promise<T>;
}

/**
 * Key sets read from a secret and parsed once per secret value. The cached secret store hands out the
 * same object until its TTL ends, so the per-request cost is one lookup here, not a validation and a
 * digest of the secret.
 */
export const keySetSource = <T>(
  parse: (secretJson: unknown, secretId: string) => Promise<T>,
): KeySetSource<T> => {
  const parsedSets = new WeakMap<object, Promise<T>>();
  const parsedOnce = (secret: Readonly<Record<string, unknown>>, secretId: string): Promise<T> => {
    let parsed = parsedSets.get(secret);
    if (parsed === undefined) {
      parsed = parse(secret, secretId);
      parsedSets.set(secret, parsed);
      // A secret that fails to parse is tried again on the next call, not remembered as broken.
      parsed.catch(() => parsedSets.delete(secret));
    }
    return parsed;
  };
  return {
    cached: (store, secretId) => async () => parsedOnce(await store.getSecretJson(secretId), secretId),
    fresh: (store, secretId) => async () =>
      parsedOnce(await (store.refreshSecretJson ?? store.getSecretJson)(secretId), secretId),
  };
};
