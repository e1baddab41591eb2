import { secureRoute } from '../../shared/chain/secure-route.js';
import { DatasourceNotFoundError } from '../../shared/errors/realtime-errors.js';
import { datasourceIdOf } from '../../shared/http/datasource-path.js';
import { emptyResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { realtimeStoreFor } from '../../shared/runtime/realtime-store-for.js';

/**
 * Deletes a datasource. No new token can be minted for it nor used to connect (the connect transaction
 * checks it exists); the revocation function sees the deletion on the table's stream and closes the
 * connections opened for it within seconds.
 */
const responses = {
  204: { description: 'Deleted: no token can be minted for it, its open connections are closed' },
} as const;

export const route = secureRoute(
  routes,
  'delete-datasource',
  { responses, problems: ['not-found'] },
  (runtime) => {
    const store = realtimeStoreFor(runtime);
    return async ({ event, principal, log }) => {
      const id = datasourceIdOf(event, 'not-found');
      if (!(await store.deleteDatasource(id))) throw new DatasourceNotFoundError();
      log.info('datasource deleted', { datasource: id, by: principal?.id });
      return emptyResponse(204);
    };
  },
);
