import * as z from 'zod/mini';
import { jwksOf } from '../../shared/auth/tokens/jwks.js';
import { ED25519_KEY_MEMBER_PATTERN, KID_PATTERN } from '../../shared/auth/tokens/signing-key-set.js';
import { publicRoute } from '../../shared/chain/public-route.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { verificationKeysFor } from '../../shared/runtime/verification-keys-for.js';

/** The published public keys (RFC 7517) from the verification-key secret; it can hold no private part. */
const jwks = z
  .strictObject({
    keys: z.array(
      z.strictObject({
        kty: z.literal('OKP'),
        crv: z.literal('Ed25519'),
        x: z.string().check(z.regex(ED25519_KEY_MEMBER_PATTERN)),
        kid: z.string().check(z.regex(KID_PATTERN)),
        alg: z.literal('EdDSA'),
        use: z.literal('sig'),
      }),
    ),
  })
  .register(z.globalRegistry, {
    id: 'Jwks',
    description: 'RFC 7517 key set: the current key first, then the previous one',
  });

const responses = {
  200: {
    description: 'The public keys that verify access tokens',
    body: jwks,
    headers: z.strictObject({
      'Cache-Control': z
        .string()
        .check(z.regex(/^(public, max-age=\d+|no-store)$/))
        .register(z.globalRegistry, {
          description:
            'public, max-age = half SECRETS_CACHE_TTL_SECONDS (ADR 0011): a cached set is at most that much older ' +
            'than this route’s; fetch again on an unknown kid',
        }),
    }),
  },
} as const;

// The only route whose answers may be cached: public keys, for less than the rotation overlap.
export const route = publicRoute(routes, 'jwks', { responses, cache: 'public-key-set' }, async (runtime) => {
  // The public set only: this route is unauthenticated, so it must not be able to read the private key.
  const keys = verificationKeysFor(runtime);
  await keys.ready();
  return async () =>
    jsonResponse(200, { keys: [...jwksOf(await keys.current()).keys] } satisfies z.input<typeof jwks>);
});
