import { type CryptoKey, importJWK } from 'jose';
import { ConfigurationError } from '../../errors/configuration-error.js';

/**
 * Imports one Ed25519 JWK (private with `d`, public without) as a non-extractable key. A bad key is a
 * ConfigurationError naming the secret and the field, never the key bytes.
 */
export const importEd25519Key = async (
  jwk: { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string; readonly d?: string },
  secretName: string,
  label: string,
): Promise<CryptoKey> => {
  try {
    // EdDSA is the only algorithm (ADR 0006); the key is usable with nothing else.
    const key = await importJWK({ ...jwk }, 'EdDSA', { extractable: false });
    if (key instanceof Uint8Array) throw new TypeError('not an asymmetric key');
    return key;
  } catch {
    // No cause: the underlying error is about the key bytes, and this message reaches logs.
    throw new ConfigurationError(secretName, `${label} is not a valid Ed25519 key (does x match d?)`);
  }
};
