import type * as z from 'zod';
import { apiKeyRateLimitPolicy } from '../domain/api-keys/api-key.js';
import type { AuthenticatedRouteIdOf, RouteTable } from '../routes/route-definition.js';
import { routeIn } from '../routes/route-in.js';
import type { Runtime } from '../runtime/runtime.js';
import { authenticationFor } from './authentication-for.js';
import { createSecureHandler, type RouteHandle } from './create-secure-handler.js';
import { bodyOptionsOf, cacheOptionsOf, contractOf, type RouteOptions } from './public-route.js';
import type { CredentialKind } from './route-contract.js';
import type { RouteModule } from './route-module.js';
import { assertBodyAsDeclared, rateLimitOf } from './route-security.js';

export type SecureRouteOptions<TSchema extends z.core.$ZodType | undefined> = RouteOptions<TSchema> & {
  /**
   * Only these kinds of credential pass (401 `invalid-credentials` for another kind, after the rate
   * limit spent its quota); by default every kind API_AUTH_STRATEGY accepts.
   */
  readonly accepts?: readonly CredentialKind[];
};

/**
 * An authenticated route of `table`: the whole chain (authentication by API_AUTH_STRATEGY, the route's
 * roles, its rate limit keyed by principal with revocation proven in the limiter's write, strict JSON
 * when `body` is given), then the handler `setup` returns. `id` must name an authenticated entry (a
 * type error otherwise). The one call a team makes to put a route behind Bulwark.
 */
export const secureRoute = <
  const T extends RouteTable,
  const Id extends AuthenticatedRouteIdOf<T>,
  TSchema extends z.core.$ZodType | undefined = undefined,
>(
  table: T,
  id: Id,
  options: SecureRouteOptions<TSchema>,
  setup: (runtime: Runtime) => RouteHandle<TSchema> | Promise<RouteHandle<TSchema>>,
): RouteModule<Id> => ({
  id,
  contract: contractOf(options, options.accepts === undefined ? {} : { accepts: options.accepts }),
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
        ...(options.accepts === undefined ? {} : { accepts: options.accepts }),
        // An API key's own `{ burst, per_seconds }` replaces the route's policy for that key.
        rateLimit: rateLimitOf(runtime, definition, {
          policyFor: (principal) =>
            principal.kind === 'api_key' && typeof principal.rateLimit === 'object'
              ? apiKeyRateLimitPolicy(principal.rateLimit)
              : undefined,
        }),
        allowedMethods: table.map((route) => route.method),
        ...bodyOptionsOf(options),
        ...cacheOptionsOf(options, runtime),
      },
      await setup(runtime),
    );
  },
});
