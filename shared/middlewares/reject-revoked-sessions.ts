import { CredentialsInvalidError } from '../errors/auth-errors.js';
import type { SecureMiddleware } from '../http/secure-request.js';

/**
 * For authenticated chains without a rate limit: a consistent read of the session's revocation marker.
 * Routes with a limiter never use this; the limiter proves the marker absent in its own write.
 */
export const rejectRevokedSessions = (options: {
  readonly isSessionRevoked: (sessionId: string) => Promise<boolean>;
}): SecureMiddleware => ({
  name: 'rejectRevokedSessions',
  before: async (request) => {
    const { principal } = request.context.bulwark;
    if (principal?.kind !== 'user') return;
    if (await options.isSessionRevoked(principal.sessionId)) {
      throw new CredentialsInvalidError('session_revoked');
    }
  },
});
