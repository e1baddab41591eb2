import { actorOf } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { emptyResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationFor } from '../../shared/runtime/user-administration-for.js';

/** Disables the user, revokes every session, then deletes the record (204). */
const responses = {
  204: { description: 'Deleted: every session revoked, the username free again' },
} as const;

export const route = secureRoute(
  routes,
  'delete-user',
  { responses, problems: ['not-found', 'conflict'] },
  (runtime) => {
    const users = userAdministrationFor(runtime);
    return async ({ event, principal, log }) => {
      const { user, sessionsRevoked } = await users.remove(event.pathParameters?.username ?? '');
      log.info('audit: user deleted', {
        ...actorOf(principal),
        user_id: user.id,
        username: user.username,
        sessions_revoked: sessionsRevoked,
      });
      return emptyResponse(204);
    };
  },
);
