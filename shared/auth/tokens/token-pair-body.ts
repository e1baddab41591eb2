import * as z from 'zod/mini';
import type { IssuedAccessToken } from './issue-access-token.js';

/** What login and refresh answer: an access token and the refresh token that replaces it later. */
export const tokenPairBody = z
  .strictObject({
    access_token: z
      .string()
      .check(z.minLength(1))
      .register(z.globalRegistry, { description: 'EdDSA-signed JWT (`typ: at+jwt`); send as Bearer' }),
    token_type: z.literal('Bearer'),
    expires_in: z
      .int()
      .check(z.gte(1))
      .register(z.globalRegistry, { description: 'Seconds until the access token expires' }),
    refresh_token: z.string().check(z.minLength(1)).register(z.globalRegistry, {
      description: 'Opaque, single use: POST it to /auth/token/refresh for a new pair',
    }),
  })
  .register(z.globalRegistry, { id: 'TokenPair' });

/** The answer of login and refresh, typed by the schema that documents it. */
export const tokenPairOf = (
  access: IssuedAccessToken,
  refreshToken: string,
): z.input<typeof tokenPairBody> => ({
  access_token: access.token,
  token_type: access.tokenType,
  expires_in: access.expiresInSeconds,
  refresh_token: refreshToken,
});
