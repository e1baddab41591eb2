import { secureRoute } from '../../shared/chain/secure-route.js';
import { asUserListBody, userListBody } from '../../shared/domain/users/administered-user-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationFor } from '../../shared/runtime/user-administration-for.js';

/** Every user, by username: never a password hash, a revision or a session reference. */
const responses = { 200: { description: 'Every user, by username', body: userListBody } } as const;

export const route = secureRoute(routes, 'list-users', { responses }, (runtime) => {
  const users = userAdministrationFor(runtime);
  return async () => jsonResponse(200, asUserListBody(await users.list()));
});
