import type * as z from 'zod';
import type { AuthenticatedRouteIdOf, RouteTable } from '../routes/route-definition.js';
import { routeIn } from '../routes/route-in.js';
import type { Runtime } from '../runtime/runtime.js';
import { authenticationFor } from './authentication-for.js';
import { createSecureHandler, type RouteHandle } from './create-secure-handler.js';
import type { RouteBodyOptions } from './public-route.js';
import type { RouteModule } from './route-module.js';
import { assertBodyAsDeclared, rateLimitOf } from './route-security.js';

/**
 * An authenticated route of `table`: the whole chain (authentication by API_AUTH_STRATEGY, the route's
 * roles, its rate limit keyed by principal with revocation proven in the limiter's write, strict JSON
 * when `body` is given), then the handler `setup` returns. `id` must name an authenticated entry (a
 * type error otherwise). The one call a team makes to put a route behind Bulwark.
 */
export const secureRoute = <
  const T extends RouteTable,
  const Id extends AuthenticatedRouteIdOf<T>,
  TSchema extends z.ZodType | undefined = undefined,
>(
  table: T,
  id: Id,
  options: RouteBodyOptions<TSchema>,
  setup: (runtime: Runtime) => RouteHandle<TSchema> | Promise<RouteHandle<TSchema>>,
): RouteModule<Id> => ({
  id,
  build: async (runtime) => {
    const definition = routeIn(table, id);
    assertBodyAsDeclared(definition, options);
    return createSecureHandler(
      runtime,
      {
        routeId: id,
        auth: 'required',
        authentication: await authenticationFor(runtime),
        ...(definition.roles === undefined ? {} : { roles: definition.roles }),
        rateLimit: rateLimitOf(runtime, definition),
        allowedMethods: table.map((route) => route.method),
        ...options,
      },
      await setup(runtime),
    );
  },
});
