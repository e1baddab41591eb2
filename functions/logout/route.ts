import { secureRoute } from '../../shared/chain/secure-route.js';
import { logOutInput } from '../../shared/domain/users/log-in-input.js';
import { CredentialsInvalidError } from '../../shared/errors/auth-errors.js';
import { emptyResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { refreshSessionsFor } from '../../shared/runtime/refresh-sessions-for.js';

/**
 * Revokes the session of the presented access token: the token (and every other access token of the
 * session) stops working at the next request, and so does its refresh family. A refresh token in the
 * body is revoked too. An empty body is allowed.
 */
const responses = { 204: { description: 'The session is revoked' } } as const;

export const route = secureRoute(
  routes,
  'logout',
  { body: logOutInput, emptyBody: {}, accepts: ['access_token'], responses },
  (runtime) => {
    const sessions = refreshSessionsFor(runtime);
    return async ({ body, principal, log }) => {
      if (principal?.kind !== 'user') throw new CredentialsInvalidError('logout_needs_access_token');
      await sessions.revokeSession(principal.sessionId, 'logout');
      // Only the caller's own family: a token of someone else's is ignored as an unknown one.
      if (body.refresh_token !== undefined)
        await sessions.revokeRefreshToken(body.refresh_token, 'logout', { ownedBy: principal.id });
      log.info('logout', { session_id: principal.sessionId });
      return emptyResponse(204);
    };
  },
);
