import type { PublicSigningJwk } from './signing-key-set.js';
import type { VerificationKeySet } from './verification-key-set.js';

export interface PublicJwks {
  readonly keys: readonly PublicSigningJwk[];
}

/** Picks the public members by name, so nothing else (above all `d`) can reach the document. */
const publicMembers = (jwk: PublicSigningJwk): PublicSigningJwk => ({
  kty: jwk.kty,
  crv: jwk.crv,
  x: jwk.x,
  kid: jwk.kid,
  alg: jwk.alg,
  use: jwk.use,
});

/**
 * The JWKS document of a key set, keys in the set's order (a signing set: current first, then
 * previous). It is both what GET /.well-known/jwks.json serves and what the rotation writes into the
 * verification-key secret, so the route serves the secret's keys exactly.
 */
export const jwksOf = (set: VerificationKeySet): PublicJwks => ({
  keys: set.publicJwks.map(publicMembers),
});
