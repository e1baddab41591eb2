import { secureRoute } from '../../shared/chain/secure-route.js';
import { toDatasourceView } from '../../shared/domain/realtime/datasource.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { realtimeStoreFor } from '../../shared/runtime/realtime-store-for.js';

/** Every datasource with its roles. */
export const route = secureRoute(routes, 'list-datasources', {}, (runtime) => {
  const store = realtimeStoreFor(runtime);
  return async () =>
    jsonResponse(200, { datasources: (await store.listDatasources()).map(toDatasourceView) });
});
