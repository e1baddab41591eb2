import { actorOf } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { updateUserBody } from '../../shared/domain/users/user-admin-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationFor } from '../../shared/runtime/user-administration-for.js';

/** Roles or disabled; a role change or a disable revokes every session of the user at once. */
export const route = secureRoute(routes, 'update-user', { body: updateUserBody }, (runtime) => {
  const users = userAdministrationFor(runtime);
  return async ({ body, event, principal, log }) => {
    const { user, sessionsRevoked } = await users.update(event.pathParameters?.username ?? '', {
      ...(body.roles === undefined ? {} : { roles: body.roles }),
      ...(body.disabled === undefined ? {} : { disabled: body.disabled }),
    });
    log.info('audit: user updated', {
      ...actorOf(principal),
      user_id: user.id,
      username: user.username,
      changed: Object.keys(body),
      sessions_revoked: sessionsRevoked,
    });
    return jsonResponse(200, { ...user, sessions_revoked: sessionsRevoked });
  };
});
