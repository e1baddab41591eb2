import type * as z from 'zod';
import type { PublicRouteIdOf, RouteTable } from '../routes/route-definition.js';
import { routeIn } from '../routes/route-in.js';
import type { Runtime } from '../runtime/runtime.js';
import { createSecureHandler, type RouteHandle } from './create-secure-handler.js';
import type { RouteModule } from './route-module.js';
import { assertBodyAsDeclared, rateLimitOf } from './route-security.js';

export interface RouteBodyOptions<TSchema extends z.ZodType | undefined> {
  /** A JSON route: content type, JSON parsing and strict validation run before the handler. */
  readonly body?: TSchema;
  /** For routes whose body is optional: a missing body is validated as this value. */
  readonly emptyBody?: unknown;
}

/**
 * A public route of `table`: the chain without authentication, keyed by client address for its rate
 * limit. `id` must name a public entry (a type error otherwise). `setup` runs once per runtime at cold
 * start and returns the handler; it builds only what this route uses.
 */
export const publicRoute = <
  const T extends RouteTable,
  const Id extends PublicRouteIdOf<T>,
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
        auth: 'public',
        rateLimit: rateLimitOf(runtime, definition),
        allowedMethods: table.map((route) => route.method),
        ...options,
      },
      await setup(runtime),
    );
  },
});
