import bcrypt from 'bcryptjs';
import { actorOf } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { createUserAdministration } from '../../shared/domain/users/administer-users.js';
import {
  asSessionsRevokedBody,
  sessionsRevokedBody,
} from '../../shared/domain/users/sessions-revoked-body.js';
import { setPasswordBody } from '../../shared/domain/users/set-password-body.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationDependencies } from '../../shared/runtime/user-administration-for.js';

/** An administrator resets a user's password; every session of the user is revoked. */
const responses = {
  200: { description: 'The new password set, every session of the user revoked', body: sessionsRevokedBody },
} as const;

export const route = secureRoute(
  routes,
  'set-user-password',
  { body: setPasswordBody, responses, problems: ['not-found'] },
  (runtime) => {
    const users = createUserAdministration({
      ...userAdministrationDependencies(runtime),
      hashPassword: (password) => bcrypt.hash(password, runtime.config.passwordBcryptCost),
    });
    return async ({ body, event, principal, log }) => {
      const administered = await users.setPassword(event.pathParameters?.username ?? '', body.password);
      const { user, sessionsRevoked } = administered;
      log.info('audit: user password set', {
        ...actorOf(principal),
        user_id: user.id,
        username: user.username,
        sessions_revoked: sessionsRevoked,
      });
      return jsonResponse(200, asSessionsRevokedBody(administered));
    };
  },
);
