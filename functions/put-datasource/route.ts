import { secureRoute } from '../../shared/chain/secure-route.js';
import {
  datasourceViewBody,
  putDatasourceBody,
  toDatasourceView,
} from '../../shared/domain/realtime/datasource.js';
import { datasourceIdOf } from '../../shared/http/datasource-path.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { realtimeStoreFor } from '../../shared/runtime/realtime-store-for.js';

const responses = {
  200: { description: 'The datasource existed: its roles are replaced', body: datasourceViewBody },
  201: { description: 'The datasource is created', body: datasourceViewBody },
} as const;

/** Creates a datasource (201) or replaces its roles (200); connections already open keep their subscriptions. */
export const route = secureRoute(
  routes,
  'put-datasource',
  // A malformed id in the path is 400 `malformed-request` (the id names what is created).
  { body: putDatasourceBody, responses, problems: ['malformed-request'] },
  (runtime) => {
    const store = realtimeStoreFor(runtime);
    return async ({ body, event, principal, log }) => {
      const id = datasourceIdOf(event, 'malformed');
      const datasource = await store.putDatasource({
        id,
        readRoles: body.read_roles,
        writeRoles: body.write_roles,
        nowMs: runtime.clock.nowMs(),
      });
      const created = datasource.createdAtMs === datasource.updatedAtMs;
      log.info(created ? 'datasource created' : 'datasource updated', { datasource: id, by: principal?.id });
      return jsonResponse(created ? 201 : 200, toDatasourceView(datasource));
    };
  },
);
