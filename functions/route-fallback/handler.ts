import { MethodNotAllowedError, RouteNotFoundError } from '../../shared/errors/request-errors.js';
import { emptyResponse } from '../../shared/http/json-response.js';
import { matchRoute } from '../../shared/http/match-route.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

/**
 * Receives every request no route method claims. OPTIONS on a known path is the CORS preflight: it is
 * answered here, public and unthrottled, and the chain's CORS hook adds the Access-Control headers.
 */
const runtime = loadRuntime();

export const handler = await createSecureHandler(
  runtime,
  routeSecurity(runtime, 'route-fallback'),
  async ({ event }) => {
    const match = matchRoute(event.httpMethod, event.path);
    if (match.kind === 'not-found') throw new RouteNotFoundError();
    const allowed = match.kind === 'route' ? [match.route.method, 'OPTIONS'] : match.allowedMethods;
    if (event.httpMethod === 'OPTIONS') return emptyResponse(204, { Allow: allowed.join(', ') });
    throw new MethodNotAllowedError(allowed);
  },
);
