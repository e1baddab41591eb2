import { secureRoute } from '../../shared/chain/secure-route.js';
import {
  apiKeyViewBody,
  asApiKeyViewBody,
  patchFromBody,
  updateApiKeyBody,
} from '../../shared/domain/api-keys/api-key-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { apiKeysFor } from '../../shared/runtime/api-keys-for.js';

/** Changes a key's roles or rate limit; the next request with the key sees the change. */
const responses = { 200: { description: 'The key as changed', body: apiKeyViewBody } } as const;

export const route = secureRoute(
  routes,
  'update-api-key',
  { body: updateApiKeyBody, responses, problems: ['not-found'] },
  (runtime) => {
    const { apiKeys } = apiKeysFor(runtime);
    return async ({ body, event, principal, log }) => {
      const view = await apiKeys.update(event.pathParameters?.key_id ?? '', patchFromBody(body));
      log.info('api key updated', { key_id: view.key_id, by: principal?.id });
      return jsonResponse(200, asApiKeyViewBody(view));
    };
  },
);
