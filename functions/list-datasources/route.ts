import * as z from 'zod/mini';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { datasourceViewBody, toDatasourceView } from '../../shared/domain/realtime/datasource.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { realtimeStoreFor } from '../../shared/runtime/realtime-store-for.js';

const responses = {
  200: {
    description: 'Every datasource, by id',
    body: z.strictObject({ datasources: z.array(datasourceViewBody) }),
  },
} as const;

/** Every datasource with its roles. */
export const route = secureRoute(routes, 'list-datasources', { responses }, (runtime) => {
  const store = realtimeStoreFor(runtime);
  return async () =>
    jsonResponse(200, { datasources: (await store.listDatasources()).map(toDatasourceView) });
});
