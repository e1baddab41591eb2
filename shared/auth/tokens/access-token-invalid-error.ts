import { BulwarkError } from '../../errors/bulwark-error.js';

/**
 * Why a token was refused. Stable codes for logs and metrics; the client only ever sees the generic
 * detail, so the reason cannot teach an attacker which check a forgery got past.
 */
export const accessTokenInvalidReasons = [
  'malformed',
  'too_large',
  'alg_not_allowed',
  'typ',
  'forbidden_header',
  'crit',
  'unknown_kid',
  'signature',
  'expired',
  'not_yet_valid',
  'issuer',
  'audience',
  'claims',
  'token_use',
] as const;

export type AccessTokenInvalidReason = (typeof accessTokenInvalidReasons)[number];

/** RFC 6750 section 3: the challenge of a Bearer resource server that rejects the token. */
export const INVALID_TOKEN_CHALLENGE = 'Bearer realm="bulwark", error="invalid_token"';

/** A presented access token failed verification. `reason` is for logs only, never for the client. */
export class AccessTokenInvalidError extends BulwarkError {
  readonly reason: AccessTokenInvalidReason;

  constructor(reason: AccessTokenInvalidReason, options: { readonly cause?: unknown } = {}) {
    super('invalid-credentials', {
      detail: 'The access token is not valid.',
      headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
      cause: options.cause,
    });
    this.name = 'AccessTokenInvalidError';
    this.reason = reason;
  }
}
