import { type CredentialKind, credentialKindOf } from '../auth/principal.js';
import { CredentialsInvalidError } from '../errors/auth-errors.js';
import type { SecureMiddleware } from '../http/secure-request.js';

/**
 * 401 `invalid-credentials` unless the principal authenticated with one of `accepts` (logout needs the
 * access token whose session it ends; an API key has none). Runs after the rate limit, so a refused
 * request has spent its quota like any other answer to an admitted one.
 */
export const requireCredentialKind = (options: {
  readonly accepts: readonly CredentialKind[];
}): SecureMiddleware => ({
  name: 'requireCredentialKind',
  before: (request) => {
    const principal = request.context.bulwark.principal;
    const kind = principal === undefined ? undefined : credentialKindOf(principal);
    if (!options.accepts.some((accepted) => accepted === kind))
      throw new CredentialsInvalidError(`needs_${options.accepts.join('_or_')}`);
  },
});
