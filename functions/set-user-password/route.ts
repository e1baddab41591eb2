import bcrypt from 'bcryptjs';
import { actorOf } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { createUserAdministration } from '../../shared/domain/users/administer-users.js';
import { setPasswordBody } from '../../shared/domain/users/user-admin-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationDependencies } from '../../shared/runtime/user-administration-for.js';

/** An administrator resets a user's password; every session of the user is revoked. */
export const route = secureRoute(routes, 'set-user-password', { body: setPasswordBody }, (runtime) => {
  const users = createUserAdministration({
    ...userAdministrationDependencies(runtime),
    hashPassword: (password) => bcrypt.hash(password, runtime.config.passwordBcryptCost),
  });
  return async ({ body, event, principal, log }) => {
    const { user, sessionsRevoked } = await users.setPassword(
      event.pathParameters?.username ?? '',
      body.password,
    );
    log.info('audit: user password set', {
      ...actorOf(principal),
      user_id: user.id,
      username: user.username,
      sessions_revoked: sessionsRevoked,
    });
    return jsonResponse(200, { username: user.username, sessions_revoked: sessionsRevoked });
  };
});
