import { actorOf } from '../../shared/auth/principal.js';
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
import { guardrailsFor } from '../../shared/runtime/guardrails-for.js';

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
    const guardrails = guardrailsFor(runtime);
    return async ({ body, principal, log }) => {
      const issued = await apiKeys.issue(issueInputFromBody(body));
      log.info('audit: api key issued', { ...actorOf(principal), key_id: issued.key.key_id });
      // After the write: a key without a limit is a guard-rail breach (published, never failing this).
      if (issued.key.rate_limit === 'unlimited') {
        await guardrails.raise('api_key_unlimited', issued.key.key_id, {
          ...actorOf(principal),
          change: 'created',
        });
      }
      return jsonResponse(201, { api_key: issued.apiKey, ...asApiKeyViewBody(issued.key) });
    };
  },
);
