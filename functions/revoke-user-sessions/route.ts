import { actorOf } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import {
  asSessionsRevokedBody,
  sessionsRevokedBody,
} from '../../shared/domain/users/sessions-revoked-body.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationFor } from '../../shared/runtime/user-administration-for.js';

/** Every refresh family and access token of a user stops working at once; the user logs in again. */
const responses = {
  200: { description: 'Every session of the user revoked', body: sessionsRevokedBody },
} as const;

export const route = secureRoute(
  routes,
  'revoke-user-sessions',
  { responses, problems: ['not-found'] },
  (runtime) => {
    const users = userAdministrationFor(runtime);
    return async ({ event, principal, log }) => {
      const administered = await users.revokeSessions(event.pathParameters?.username ?? '');
      const { user, sessionsRevoked } = administered;
      log.info('audit: user sessions revoked', {
        ...actorOf(principal),
        user_id: user.id,
        username: user.username,
        sessions_revoked: sessionsRevoked,
      });
      return jsonResponse(200, asSessionsRevokedBody(administered));
    };
  },
);
