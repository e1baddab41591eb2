import type { SecretStore } from '../../domain/secret-store.js';
import { keySetSource } from './key-set-source.js';
import { parseVerificationKeySet, type VerificationKeySet } from './verification-key-set.js';

const source = keySetSource(parseVerificationKeySet);

/** The verifier's and the JWKS route's `keys`: the public set, through the (cached) store. */
export const verificationKeySetFrom = (
  store: SecretStore,
  secretId: string,
): (() => Promise<VerificationKeySet>) => source.cached(store, secretId);

/** The same, past the cache: the verifier's `refreshKeys` on an unknown kid. */
export const freshVerificationKeySetFrom = (
  store: SecretStore,
  secretId: string,
): (() => Promise<VerificationKeySet>) => source.fresh(store, secretId);
