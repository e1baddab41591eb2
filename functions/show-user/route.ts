import { secureRoute } from '../../shared/chain/secure-route.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationFor } from '../../shared/runtime/user-administration-for.js';

/** One user by username; 404 when there is none. */
export const route = secureRoute(routes, 'show-user', {}, (runtime) => {
  const users = userAdministrationFor(runtime);
  return async ({ event }) => jsonResponse(200, await users.show(event.pathParameters?.username ?? ''));
});
