import { secureRoute } from '../../shared/chain/secure-route.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationFor } from '../../shared/runtime/user-administration-for.js';

/** Every user, by username: never a password hash, a revision or a session reference. */
export const route = secureRoute(routes, 'list-users', {}, (runtime) => {
  const users = userAdministrationFor(runtime);
  return async () => jsonResponse(200, { users: await users.list() });
});
