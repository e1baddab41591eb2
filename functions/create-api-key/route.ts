import { secureRoute } from '../../shared/chain/secure-route.js';
import {
  asApiKeyViewBody,
  createApiKeyBody,
  issuedApiKeyBody,
  issueInputFromBody,
} from '../../shared/domain/api-keys/api-key-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { apiKeysFor } from '../../shared/runtime/api-keys-for.js';

/** The credential is in `api_key` of this one response and never again. */
const responses = {
  201: { description: 'The key: its metadata and, this once, its credential', body: issuedApiKeyBody },
} as const;

export const route = secureRoute(
  routes,
  'create-api-key',
  { body: createApiKeyBody, responses },
  (runtime) => {
    const { apiKeys } = apiKeysFor(runtime);
    return async ({ body, principal, log }) => {
      const issued = await apiKeys.issue(issueInputFromBody(body));
      log.info('api key issued', { key_id: issued.key.key_id, by: principal?.id });
      return jsonResponse(201, { api_key: issued.apiKey, ...asApiKeyViewBody(issued.key) });
    };
  },
);
