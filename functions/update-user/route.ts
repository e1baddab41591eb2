import { actorOf } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { asUpdatedUserBody, updatedUserBody } from '../../shared/domain/users/administered-user-bodies.js';
import { updateUserBody } from '../../shared/domain/users/user-admin-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationFor } from '../../shared/runtime/user-administration-for.js';

/** Roles or disabled; a role change or a disable revokes every session of the user at once. */
const responses = { 200: { description: 'The user as changed', body: updatedUserBody } } as const;

export const route = secureRoute(
  routes,
  'update-user',
  { body: updateUserBody, responses, problems: ['not-found'] },
  (runtime) => {
    const users = userAdministrationFor(runtime);
    return async ({ body, event, principal, log }) => {
      const administered = await users.update(event.pathParameters?.username ?? '', {
        ...(body.roles === undefined ? {} : { roles: body.roles }),
        ...(body.disabled === undefined ? {} : { disabled: body.disabled }),
      });
      const { user, sessionsRevoked } = administered;
      log.info('audit: user updated', {
        ...actorOf(principal),
        user_id: user.id,
        username: user.username,
        changed: Object.keys(body),
        sessions_revoked: sessionsRevoked,
      });
      return jsonResponse(200, asUpdatedUserBody(administered));
    };
  },
);
