import type { SecretStore } from '../../domain/secret-store.js';
import { keySetSource } from './key-set-source.js';
import { parseSigningKeySet, type SigningKeySet } from './signing-key-set.js';

const source = keySetSource(parseSigningKeySet);

/**
 * The issuer's `keys`: the private signing-key set, read through the (cached) store and parsed once per
 * value. Only the functions that issue tokens (login, refresh-token) may call this; verifiers read the
 * public set (load-verification-key-set.ts).
 */
export const signingKeySetFrom = (store: SecretStore, secretId: string): (() => Promise<SigningKeySet>) =>
  source.cached(store, secretId);
