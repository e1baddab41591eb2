import { jwksOf } from '../../shared/auth/tokens/jwks.js';
import { publicRoute } from '../../shared/chain/public-route.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { verificationKeysFor } from '../../shared/runtime/verification-keys-for.js';

/** The published public keys (RFC 7517) from the verification-key secret; it can hold no private part. */
export const route = publicRoute(routes, 'jwks', {}, async (runtime) => {
  // The public set only: this route is unauthenticated, so it must not be able to read the private key.
  const keys = verificationKeysFor(runtime);
  await keys.ready();
  return async () => jsonResponse(200, jwksOf(await keys.current()));
});
