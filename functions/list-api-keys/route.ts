import { secureRoute } from '../../shared/chain/secure-route.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { apiKeysFor } from '../../shared/runtime/api-keys-for.js';

/** Every key's metadata, never a secret or its hash. */
export const route = secureRoute(routes, 'list-api-keys', {}, (runtime) => {
  const { apiKeys } = apiKeysFor(runtime);
  return async () => jsonResponse(200, { keys: await apiKeys.list() });
});
