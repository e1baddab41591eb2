import type { RateLimitPolicy } from '../domain/rate-limit/rate-limit-policy.js';
import type { SecretId } from '../tables/secret-definitions.js';
import type { TableId } from '../tables/table-definitions.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `conditionalUpdate`: UpdateItem only, all the rate limiter needs. */
export type TableAccess = 'read' | 'write' | 'readWrite' | 'conditionalUpdate';
export type LimiterFailureMode = 'fail-closed' | 'fail-open';

/**
 * `policy: 'default'` takes the fixed window of API_RATE_LIMIT_REQUESTS per API_RATE_LIMIT_WINDOW_SECONDS.
 * `failureMode` overrides SECURITY_LIMITER_FAILURE_MODE for this route only.
 */
export interface RouteRateLimit {
  readonly policy: RateLimitPolicy | 'default';
  readonly failureMode?: LimiterFailureMode;
}

/** What every function's security chain needs to know, routed or not. */
export interface SecuredFunction {
  readonly id: string;
  /** `required` routes run the configured API_AUTH_STRATEGY; `public` routes skip it. */
  readonly auth: 'public' | 'required';
  /** Keyed by principal when authenticated, by client IP otherwise. */
  readonly rateLimit: RouteRateLimit;
  /** What the function may touch; the CDK stack grants exactly this and sets the matching variables. */
  readonly tables: Readonly<Partial<Record<TableId, TableAccess>>>;
  readonly secrets: readonly SecretId[];
  readonly description: string;
}

export interface RouteDefinition extends SecuredFunction {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` segments are path parameters. */
  readonly path: string;
}

/**
 * The one route table. The CDK stack turns every entry into a REST API method and a function; the
 * local server serves the same entries; the fallback function answers 404/405/OPTIONS from it.
 */
export const routes: readonly RouteDefinition[] = Object.freeze([
  {
    id: 'health',
    method: 'GET',
    path: '/health',
    auth: 'public',
    // The reference security guide's 5/minute per client IP: enough for probes, useless for floods.
    rateLimit: { policy: { kind: 'fixed_window', requests: 5, windowSeconds: 60 } },
    tables: { rateLimits: 'conditionalUpdate' },
    secrets: [],
    description: 'Liveness probe',
  },
  {
    id: 'create-user',
    method: 'POST',
    path: '/api/v1/user',
    auth: 'required',
    rateLimit: { policy: 'default' },
    tables: { users: 'write', rateLimits: 'conditionalUpdate' },
    secrets: ['apiKey'],
    description: 'Create a user',
  },
]);

/**
 * Answers OPTIONS (CORS preflight), unknown paths (404) and known paths with another method (405).
 * Deployed behind `ANY` on every resource and on `/{proxy+}`; locally it gets every unmatched request.
 */
export const fallbackRoute: SecuredFunction = Object.freeze<SecuredFunction>({
  id: 'route-fallback',
  auth: 'public',
  // OPTIONS is never limited (preflight must always pass); 404/405 floods are, per client IP.
  rateLimit: { policy: 'default' },
  tables: { rateLimits: 'conditionalUpdate' },
  secrets: [],
  description: 'CORS preflight, 404 and 405 answers',
});

/** Every function the stack deploys: the routes and the fallback. */
export const securedFunctions: readonly SecuredFunction[] = Object.freeze([...routes, fallbackRoute]);

export const securedFunctionById = (id: string): SecuredFunction => {
  const found = securedFunctions.find((candidate) => candidate.id === id);
  if (found === undefined) throw new TypeError(`No function with id "${id}" in the route table`);
  return found;
};

export const functionEntry = (routeId: string): string => `functions/${routeId}/handler.ts`;

export const routeById = (id: string): RouteDefinition => {
  const route = routes.find((candidate) => candidate.id === id);
  if (route === undefined) throw new TypeError(`No route with id "${id}" in the route table`);
  return route;
};
