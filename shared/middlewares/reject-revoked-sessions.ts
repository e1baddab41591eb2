import { CredentialsInvalidError } from '../errors/auth-errors.js';
import type { SecureMiddleware } from '../http/secure-request.js';
import { authServices } from '../runtime/auth-services.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * For authenticated routes without a rate limit: a consistent read of the session's revocation marker.
 * Routes with a limiter never use this; the limiter proves the marker absent in its own write.
 */
export const rejectRevokedSessions = (runtime: Runtime): SecureMiddleware => ({
  name: 'rejectRevokedSessions',
  before: async (request) => {
    const { principal } = request.context.bulwark;
    if (principal?.kind !== 'user') return;
    if (await authServices(runtime).sessions().isSessionRevoked(principal.sessionId)) {
      throw new CredentialsInvalidError('session_revoked');
    }
  },
});
