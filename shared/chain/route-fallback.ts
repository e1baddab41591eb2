import { MethodNotAllowedError, RouteNotFoundError } from '../errors/request-errors.js';
import { emptyResponse } from '../http/json-response.js';
import { matchRoute } from '../routes/match-route.js';
import { fallbackRoute, type RouteTable } from '../routes/route-definition.js';
import { createSecureHandler } from './create-secure-handler.js';
import type { RouteModule } from './route-module.js';
import { rateLimitOf } from './route-security.js';

/** A CORS preflight for a path `table` serves: the one request the fallback never limits. */
export const isServedPreflight =
  (table: RouteTable) =>
  (event: { readonly httpMethod: string; readonly path: string }): boolean =>
    event.httpMethod === 'OPTIONS' && matchRoute('OPTIONS', event.path, table).kind !== 'not-found';

/**
 * Receives every request no route method of `table` claims (deployed behind `ANY` on every resource and
 * on `/{proxy+}`; locally, every unmatched request). OPTIONS on a served path is the CORS preflight: it
 * is answered here, public and never limited, and the chain's CORS hook adds the Access-Control headers.
 * Anything else is 404 or 405 with `Allow`, limited per client address like any anonymous request.
 */
export const routeFallback = (table: RouteTable): RouteModule<'route-fallback'> => ({
  id: 'route-fallback',
  build: (runtime) =>
    createSecureHandler(
      runtime,
      {
        routeId: fallbackRoute.id,
        auth: 'public',
        rateLimit: rateLimitOf(runtime, fallbackRoute, { exempt: isServedPreflight(table) }),
        allowedMethods: table.map((route) => route.method),
      },
      async ({ event }) => {
        const match = matchRoute(event.httpMethod, event.path, table);
        if (match.kind === 'not-found') throw new RouteNotFoundError();
        const allowed = match.kind === 'route' ? [match.route.method, 'OPTIONS'] : match.allowedMethods;
        if (event.httpMethod === 'OPTIONS') return emptyResponse(204, { Allow: allowed.join(', ') });
        throw new MethodNotAllowedError(allowed);
      },
    ),
});
