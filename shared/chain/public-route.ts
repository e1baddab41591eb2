import type * as z from 'zod';
import { type CachePolicy, cacheControlOf } from '../http/cache-policy.js';
import type { PublicRouteIdOf, RouteTable } from '../routes/route-definition.js';
import { routeIn } from '../routes/route-in.js';
import type { Runtime } from '../runtime/runtime.js';
import { createSecureHandler, type RouteHandle } from './create-secure-handler.js';
import type { RouteContract, RouteContractOptions } from './route-contract.js';
import type { RouteModule } from './route-module.js';
import { assertBodyAsDeclared, rateLimitOf } from './route-security.js';

export interface RouteBodyOptions<TSchema extends z.core.$ZodType | undefined> {
  /** A JSON route: content type, JSON parsing and strict validation run before the handler. */
  readonly body?: TSchema;
  /** For routes whose body is optional: a missing body is validated as this value. */
  readonly emptyBody?: unknown;
}

/** How shared caches may keep the route's successful answers; `no-store` when absent (shared/http/cache-policy.ts). */
export interface RouteCacheOptions {
  readonly cache?: CachePolicy;
}

/** What a route module declares: its body, its answers (the API contract, shared/openapi/), its cache policy. */
export type RouteOptions<TSchema extends z.core.$ZodType | undefined> = RouteBodyOptions<TSchema> &
  RouteContractOptions &
  RouteCacheOptions;

/** The chain's `cacheControl` option for a route's declared cache policy. */
export const cacheOptionsOf = (
  options: RouteCacheOptions,
  runtime: Runtime,
): { readonly cacheControl?: string } =>
  options.cache === undefined ? {} : { cacheControl: cacheControlOf(options.cache, runtime.config) };

/** The contract a route module carries for the OpenAPI generator. */
export const contractOf = <TSchema extends z.core.$ZodType | undefined>(
  options: RouteOptions<TSchema>,
  extra: Pick<RouteContract, 'accepts'> = {},
): RouteContract => ({
  ...(options.body === undefined ? {} : { body: options.body }),
  bodyOptional: options.emptyBody !== undefined,
  responses: options.responses,
  ...(options.problems === undefined ? {} : { problems: options.problems }),
  ...(options.query === undefined ? {} : { query: options.query }),
  ...extra,
});

/**
 * A public route of `table`: the chain without authentication, keyed by client address for its rate
 * limit. `id` must name a public entry (a type error otherwise). `setup` runs once per runtime at cold
 * start and returns the handler; it builds only what this route uses. `responses` (and `problems`) declare
 * what the handler answers, for the generated OpenAPI document.
 */
export const publicRoute = <
  const T extends RouteTable,
  const Id extends PublicRouteIdOf<T>,
  TSchema extends z.core.$ZodType | undefined = undefined,
>(
  table: T,
  id: Id,
  options: RouteOptions<TSchema>,
  setup: (runtime: Runtime) => RouteHandle<TSchema> | Promise<RouteHandle<TSchema>>,
): RouteModule<Id> => ({
  id,
  contract: contractOf(options),
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
        ...bodyOptionsOf(options),
        ...cacheOptionsOf(options, runtime),
      },
      await setup(runtime),
    );
  },
});

/** Only what the chain reads: the contract's schemas describe answers and never run per request. */
export const bodyOptionsOf = <TSchema extends z.core.$ZodType | undefined>(
  options: RouteOptions<TSchema>,
): RouteBodyOptions<TSchema> => ({
  ...(options.body === undefined ? {} : { body: options.body }),
  ...(options.emptyBody === undefined ? {} : { emptyBody: options.emptyBody }),
});
