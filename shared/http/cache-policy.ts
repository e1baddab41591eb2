/**
 * How shared caches (browsers, CDNs, a verifier's HTTP cache) may keep a route's successful answers, as its
 * route module declares it (`cache` beside `responses`). Every answer is `no-store` unless its route opts
 * into another policy, and every error answer stays `no-store` whatever the route declares.
 *
 * - `no-store`: the default. Answers may carry personal data or credentials.
 * - `public-key-set`: public keys anyone may fetch and cache (the JWKS), for half the secret cache TTL
 *   (`SECRETS_CACHE_TTL_SECONDS`). That TTL is the rotation's overlap (ADR 0011): how long after a
 *   rotation issuers may still sign with the old key, and how long after an emergency replacement this
 *   route itself may still serve the leaked key. A cached key set is then never stale by more than one
 *   more half of it, so an external verifier learns a new key, or drops a replaced one, within 1.5 x the
 *   TTL. With a TTL below 2 s there is nothing to cache: `no-store`.
 */
export type CachePolicy = 'no-store' | 'public-key-set';

export const NO_STORE = 'no-store';

/** The max-age of `public-key-set` answers: half the secret cache TTL, in whole seconds. */
export const publicKeySetMaxAgeSeconds = (secretsCacheTtlSeconds: number): number =>
  Math.floor(secretsCacheTtlSeconds / 2);

/** The `Cache-Control` value of a route's successful answers under `policy`. */
export const cacheControlOf = (
  policy: CachePolicy,
  config: { readonly secretsCacheTtlSeconds: number },
): string => {
  if (policy === 'no-store') return NO_STORE;
  const maxAge = publicKeySetMaxAgeSeconds(config.secretsCacheTtlSeconds);
  return maxAge > 0 ? `public, max-age=${maxAge}` : NO_STORE;
};
