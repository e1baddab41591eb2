import type { Role } from '../../domain/users/user.js';

/** What a verified access token says, under the claim names it carries (RFC 9068, RFC 7519). */
export interface AccessTokenClaims {
  /** The user id. */
  readonly sub: string;
  /** The session the token was issued for: what the session denylist revokes. */
  readonly sid: string;
  /** This token's id. */
  readonly jti: string;
  readonly username: string;
  readonly roles: readonly Role[];
  /** Seconds since the epoch. */
  readonly iat: number;
  /** Seconds since the epoch. */
  readonly exp: number;
}
