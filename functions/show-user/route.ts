import { secureRoute } from '../../shared/chain/secure-route.js';
import { asPublicUserBody, publicUserBody } from '../../shared/domain/users/public-user-body.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { userAdministrationFor } from '../../shared/runtime/user-administration-for.js';

/** One user by username; 404 when there is none. */
const responses = { 200: { description: 'The user', body: publicUserBody } } as const;

export const route = secureRoute(routes, 'show-user', { responses, problems: ['not-found'] }, (runtime) => {
  const users = userAdministrationFor(runtime);
  return async ({ event }) =>
    jsonResponse(200, asPublicUserBody(await users.show(event.pathParameters?.username ?? '')));
});
