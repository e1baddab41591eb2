import { actorOf } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationFor } from '../../shared/runtime/user-administration-for.js';

/** Every refresh family and access token of a user stops working at once; the user logs in again. */
export const route = secureRoute(routes, 'revoke-user-sessions', {}, (runtime) => {
  const users = userAdministrationFor(runtime);
  return async ({ event, principal, log }) => {
    const { user, sessionsRevoked } = await users.revokeSessions(event.pathParameters?.username ?? '');
    log.info('audit: user sessions revoked', {
      ...actorOf(principal),
      user_id: user.id,
      username: user.username,
      sessions_revoked: sessionsRevoked,
    });
    return jsonResponse(200, { username: user.username, sessions_revoked: sessionsRevoked });
  };
});
