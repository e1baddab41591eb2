import { secureRoute } from '../../shared/chain/secure-route.js';
import { emptyResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { apiKeysFor } from '../../shared/runtime/api-keys-for.js';

/** Revocation is one conditional write; every verification reads the key consistently, so it is immediate. */
const responses = { 204: { description: 'Revoked: the key stops working at its next request' } } as const;

export const route = secureRoute(
  routes,
  'revoke-api-key',
  { responses, problems: ['not-found'] },
  (runtime) => {
    const { apiKeys } = apiKeysFor(runtime);
    return async ({ event, principal, log }) => {
      const view = await apiKeys.revoke(event.pathParameters?.key_id ?? '');
      log.info('api key revoked', { key_id: view.key_id, by: principal?.id });
      return emptyResponse(204);
    };
  },
);
