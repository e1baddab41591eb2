import type { PublicSigningJwk, SigningKeySet } from './signing-key-set.js';

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

/** The document served at GET /.well-known/jwks.json: current key first, then the previous one. */
export const jwksOf = (set: SigningKeySet): PublicJwks => ({
  keys: [set.current, ...(set.previous === undefined ? [] : [set.previous])].map((key) =>
    publicMembers(key.publicJwk),
  ),
});
