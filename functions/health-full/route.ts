import { secureRoute } from '../../shared/chain/secure-route.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { fullHealthFor } from '../../shared/runtime/full-health-for.js';

/**
 * Every backend checked within a time budget, the signing-key age, limiter counters and guard-rail state,
 * for the admin and health roles; `no-store`. A backend down is a 503 naming it.
 */
export const route = secureRoute(routes, 'health-full', {}, (runtime) => {
  const check = fullHealthFor(runtime);
  return async () => jsonResponse(200, await check(), { 'Cache-Control': 'no-store' });
});
