import type { RateLimitPolicy } from '../domain/rate-limit/rate-limit-policy.js';
import type { Role } from '../domain/users/user.js';
import type { SecretId } from '../tables/secret-definitions.js';
import type { TableId } from '../tables/table-definitions.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/**
 * `conditionalUpdate`: UpdateItem only, all the rate limiter needs. `conditionCheck`: ConditionCheckItem
 * only, for proving a revocation marker absent inside the limiter's transaction.
 */
export type TableAccess = 'read' | 'write' | 'readWrite' | 'conditionalUpdate' | 'conditionCheck';
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
  /** Roles of which the principal needs at least one (403 otherwise); only on `required` routes. */
  readonly roles?: readonly Role[];
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

type Tables = Readonly<Partial<Record<TableId, TableAccess>>>;

/**
 * What authentication itself touches: API key records and their pepper, the public keys that verify
 * access tokens (never the private signing key, ADR 0006), the revocation markers proven absent in the
 * limiter's write, and the limiter's table.
 */
const authenticatedAccess = {
  apiKeys: 'read',
  sessions: 'conditionCheck',
  rateLimits: 'conditionalUpdate',
} as const;
const authenticationSecrets: readonly SecretId[] = ['jwtVerificationKeys', 'apiKeyPepper'];

const authenticated = (
  route: Omit<RouteDefinition, 'auth' | 'tables' | 'secrets'> & {
    readonly tables?: Tables;
    readonly secrets?: readonly SecretId[];
  },
): RouteDefinition => ({
  ...route,
  auth: 'required',
  tables: { ...authenticatedAccess, ...route.tables },
  secrets: [...new Set([...authenticationSecrets, ...(route.secrets ?? [])])],
});

const admin = { roles: ['admin'] } as const;
const defaultLimit: RouteRateLimit = { policy: 'default' };

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
    id: 'jwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    auth: 'public',
    rateLimit: defaultLimit,
    tables: { rateLimits: 'conditionalUpdate' },
    secrets: ['jwtVerificationKeys'],
    description: 'Public keys that verify access tokens',
  },
  {
    id: 'login',
    method: 'POST',
    path: '/auth/login',
    auth: 'public',
    rateLimit: defaultLimit,
    // The login throttle reads, counts and clears failure streaks in the rate-limit table.
    tables: { users: 'read', rateLimits: 'readWrite', sessions: 'write' },
    secrets: ['jwtSigningKeys'],
    description: 'Exchange username and password for an access token and a refresh token',
  },
  {
    id: 'refresh-token',
    method: 'POST',
    path: '/auth/token/refresh',
    auth: 'public',
    rateLimit: defaultLimit,
    tables: { rateLimits: 'conditionalUpdate', sessions: 'readWrite' },
    secrets: ['jwtSigningKeys'],
    description: 'Rotate a refresh token into a new token pair',
  },
  authenticated({
    id: 'logout',
    method: 'POST',
    path: '/auth/logout',
    rateLimit: defaultLimit,
    tables: { sessions: 'readWrite' },
    description: 'Revoke the session of the presented access token (and an optional refresh token)',
  }),
  authenticated({
    id: 'current-user',
    method: 'GET',
    path: '/api/v1/user/me',
    rateLimit: defaultLimit,
    tables: { users: 'read' },
    description: 'The calling principal',
  }),
  authenticated({
    id: 'create-user',
    method: 'POST',
    path: '/api/v1/user',
    ...admin,
    rateLimit: defaultLimit,
    tables: { users: 'write' },
    description: 'Create a user',
  }),
  authenticated({
    id: 'create-api-key',
    method: 'POST',
    path: '/admin/api-keys',
    ...admin,
    rateLimit: defaultLimit,
    tables: { apiKeys: 'readWrite' },
    description: 'Issue an API key (the secret is shown once)',
  }),
  authenticated({
    id: 'list-api-keys',
    method: 'GET',
    path: '/admin/api-keys',
    ...admin,
    rateLimit: defaultLimit,
    description: 'List API keys (never their secrets)',
  }),
  authenticated({
    id: 'update-api-key',
    method: 'PATCH',
    path: '/admin/api-keys/{key_id}',
    ...admin,
    rateLimit: defaultLimit,
    tables: { apiKeys: 'readWrite' },
    description: "Change an API key's roles or rate limit",
  }),
  authenticated({
    id: 'revoke-api-key',
    method: 'DELETE',
    path: '/admin/api-keys/{key_id}',
    ...admin,
    rateLimit: defaultLimit,
    tables: { apiKeys: 'readWrite' },
    description: 'Revoke an API key at once',
  }),
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
