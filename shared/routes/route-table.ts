import { realtimeRoutes } from './realtime-routes.js';
import {
  admin,
  authenticatedEntry,
  defaultLimit,
  defineRoutes,
  fallbackRoute,
  familyKeys,
  limiterUpdate,
  loginThrottleKeys,
  publicEntry,
  type RouteDefinition,
  revocationMarkerKeys,
  type SecuredFunction,
  sessionPointerKeys,
} from './route-definition.js';

/**
 * Bulwark's core routes: health, keys, login, tokens, users, API keys. A team's table starts from these
 * (`bulwarkRoutes` in the package exports) and adds the realtime routes when it deploys the gateway.
 */
export const coreRoutes = defineRoutes([
  publicEntry({
    id: 'health',
    method: 'GET',
    path: '/health',
    // The reference security guide's 5/minute per client IP: enough for probes, useless for floods.
    rateLimit: { policy: { kind: 'fixed_window', requests: 5, windowSeconds: 60 } },
    tables: { rateLimits: [limiterUpdate] },
    secrets: [],
    description: 'Liveness probe',
  }),
  publicEntry({
    id: 'jwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    rateLimit: defaultLimit,
    tables: { rateLimits: [limiterUpdate] },
    secrets: ['jwtVerificationKeys'],
    description: 'Public keys that verify access tokens',
  }),
  publicEntry({
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    rateLimit: defaultLimit,
    tables: { rateLimits: [limiterUpdate] },
    secrets: [],
    description: 'The OpenAPI 3.1 document of this API',
  }),
  publicEntry({
    id: 'login',
    method: 'POST',
    path: '/auth/login',
    rateLimit: defaultLimit,
    tables: {
      users: [{ actions: ['GetItem'] }],
      // The login throttle reads (consistently), counts, blocks, takes the attempt slot of and clears
      // failure streaks: GetItem, conditional UpdateItems and DeleteItem on login# items only.
      rateLimits: [
        limiterUpdate,
        { actions: ['GetItem', 'UpdateItem', 'DeleteItem'], leadingKeys: loginThrottleKeys },
      ],
      // A new session is one transaction of two conditional Puts: the family and the session pointer.
      sessions: [{ actions: ['PutItem'], leadingKeys: [...familyKeys, ...sessionPointerKeys] }],
    },
    secrets: ['jwtSigningKeys'],
    description: 'Exchange username and password for an access token and a refresh token',
  }),
  publicEntry({
    id: 'refresh-token',
    method: 'POST',
    path: '/auth/token/refresh',
    rateLimit: defaultLimit,
    tables: {
      rateLimits: [limiterUpdate],
      // Rotation is one conditional UpdateItem on the family (a failed condition returns the family, so no
      // read); a replay revokes in one transaction that updates the family and upserts the marker.
      sessions: [{ actions: ['UpdateItem'], leadingKeys: [...familyKeys, ...revocationMarkerKeys] }],
    },
    secrets: ['jwtSigningKeys'],
    description: 'Rotate a refresh token into a new token pair',
  }),
  authenticatedEntry({
    id: 'logout',
    method: 'POST',
    path: '/auth/logout',
    rateLimit: defaultLimit,
    tables: {
      // Finds the family of the token's session (session#) and of a refresh token (family#), then revokes
      // as refresh-token does: the family's UpdateItem and the marker's upsert in one transaction.
      sessions: [
        { actions: ['GetItem'], leadingKeys: [...sessionPointerKeys, ...familyKeys] },
        { actions: ['UpdateItem'], leadingKeys: [...familyKeys, ...revocationMarkerKeys] },
      ],
    },
    description: 'Revoke the session of the presented access token (and an optional refresh token)',
  }),
  authenticatedEntry({
    id: 'current-user',
    method: 'GET',
    path: '/api/v1/user/me',
    rateLimit: defaultLimit,
    tables: { users: [{ actions: ['GetItem'] }] },
    description: 'The calling principal',
  }),
  authenticatedEntry({
    id: 'create-user',
    method: 'POST',
    path: '/api/v1/user',
    ...admin,
    rateLimit: defaultLimit,
    // One conditional PutItem (attribute_not_exists): no read of existing users.
    tables: { users: [{ actions: ['PutItem'] }] },
    description: 'Create a user',
  }),
  authenticatedEntry({
    id: 'create-api-key',
    method: 'POST',
    path: '/admin/api-keys',
    ...admin,
    rateLimit: defaultLimit,
    // One conditional PutItem of the new record.
    tables: { apiKeys: [{ actions: ['PutItem'] }] },
    description: 'Issue an API key (the secret is shown once)',
  }),
  authenticatedEntry({
    id: 'list-api-keys',
    method: 'GET',
    path: '/admin/api-keys',
    ...admin,
    rateLimit: defaultLimit,
    // The only Scan in Bulwark: every key's metadata (projected; secret hashes are never returned).
    tables: { apiKeys: [{ actions: ['Scan'] }] },
    description: 'List API keys (never their secrets)',
  }),
  authenticatedEntry({
    id: 'update-api-key',
    method: 'PATCH',
    path: '/admin/api-keys/{key_id}',
    ...admin,
    rateLimit: defaultLimit,
    // One conditional UpdateItem returning the new record (ALL_NEW needs no GetItem).
    tables: { apiKeys: [{ actions: ['UpdateItem'] }] },
    description: "Change an API key's roles or rate limit",
  }),
  authenticatedEntry({
    id: 'revoke-api-key',
    method: 'DELETE',
    path: '/admin/api-keys/{key_id}',
    ...admin,
    rateLimit: defaultLimit,
    tables: { apiKeys: [{ actions: ['UpdateItem'] }] },
    description: 'Revoke an API key at once',
  }),
]);

/**
 * Bulwark's own table: the core routes and the realtime routes (ADR 0014). The CDK stack turns every entry
 * into a REST API method and a function; the local server serves the same entries; the fallback function
 * answers 404/405/OPTIONS from it.
 */
export const routes = defineRoutes([...coreRoutes, ...realtimeRoutes]);

export { fallbackRoute };

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
