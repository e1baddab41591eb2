import { secureRoute } from '../../shared/chain/secure-route.js';
import { toPublicUser } from '../../shared/domain/users/user.js';
import { CredentialsInvalidError } from '../../shared/errors/auth-errors.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { usersFor } from '../../shared/runtime/users-for.js';

/** The caller: the user behind an access token, or the API key's id and roles. */
export const route = secureRoute(routes, 'current-user', {}, (runtime) => {
  const users = usersFor(runtime);
  return async ({ principal }) => {
    if (principal?.kind === 'user') {
      const user = await users.get(principal.username);
      // A user recreated under the same name is someone else: the old token's subject no longer exists.
      if (user === undefined || user.id !== principal.id) throw new CredentialsInvalidError('subject_gone');
      return jsonResponse(200, { kind: 'user', ...toPublicUser(user) });
    }
    if (principal?.kind === 'api_key')
      return jsonResponse(200, { kind: 'api_key', key_id: principal.id, roles: principal.roles });
    return jsonResponse(200, { kind: 'development', roles: principal?.roles ?? [] });
  };
});
