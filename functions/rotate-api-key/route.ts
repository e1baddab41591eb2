import { actorOf } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { asApiKeyViewBody, issuedApiKeyBody } from '../../shared/domain/api-keys/api-key-bodies.js';
import { rotateApiKeyBody } from '../../shared/domain/api-keys/rotate-api-key-body.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { apiKeyRotationFor } from '../../shared/runtime/api-key-rotation-for.js';

/**
 * A new secret for the same key id, shown once in `api_key`; the replaced secret keeps working until
 * `overlap_until` (API_KEY_ROTATION_OVERLAP_SECONDS, or less if the body asks), then stops.
 */
export const route = secureRoute(
  routes,
  'rotate-api-key',
  {
    body: rotateApiKeyBody,
    emptyBody: {},
    responses: {
      200: {
        description: 'The new credential (shown once); the replaced secret works until `overlap_until`',
        body: issuedApiKeyBody,
      },
    },
    problems: ['not-found'],
  },
  (runtime) => {
    const rotate = apiKeyRotationFor(runtime);
    return async ({ body, event, principal, log }) => {
      const rotated = await rotate(
        event.pathParameters?.key_id ?? '',
        body.overlap_seconds === undefined ? {} : { overlapSeconds: body.overlap_seconds },
      );
      log.info('audit: api key rotated', {
        ...actorOf(principal),
        key_id: rotated.key.key_id,
        overlap_until: rotated.key.overlap_until,
      });
      return jsonResponse(200, { api_key: rotated.apiKey, ...asApiKeyViewBody(rotated.key) });
    };
  },
);
