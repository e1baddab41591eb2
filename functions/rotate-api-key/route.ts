import { actorOf } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { rotateApiKeyBody } from '../../shared/domain/api-keys/api-key-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { apiKeysFor } from '../../shared/runtime/api-keys-for.js';

/**
 * A new secret for the same key id, shown once in `api_key`; the replaced secret keeps working until
 * `overlap_until` (API_KEY_ROTATION_OVERLAP_SECONDS, or less if the body asks), then stops.
 */
export const route = secureRoute(
  routes,
  'rotate-api-key',
  { body: rotateApiKeyBody, emptyBody: {} },
  (runtime) => {
    const { apiKeys } = apiKeysFor(runtime);
    return async ({ body, event, principal, log }) => {
      const rotated = await apiKeys.rotate(
        event.pathParameters?.key_id ?? '',
        body.overlap_seconds === undefined ? {} : { overlapSeconds: body.overlap_seconds },
      );
      log.info('audit: api key rotated', {
        ...actorOf(principal),
        key_id: rotated.key.key_id,
        overlap_until: rotated.key.overlap_until,
      });
      return jsonResponse(200, { api_key: rotated.apiKey, ...rotated.key });
    };
  },
);
