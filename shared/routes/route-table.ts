import { TRIAGE_MODEL_DEPENDENCY } from '../domain/breaker/breaker-dependencies.js';
import { realtimeRoutes } from './realtime-routes.js';
import {
  admin,
  authenticatedEntry,
  breakerStateGrant,
  breakerStatusGrant,
  defaultLimit,
  defineRoutes,
  fallbackRoute,
  familyKeys,
  lastGoodGrant,
  limiterUpdate,
  loginThrottleKeys,
  publicEntry,
  type RouteDefinition,
  revocationMarkerKeys,
  type SecuredFunction,
  sessionPointerKeys,
  type TableGrant,
} from './route-definition.js';

/** A key no item has: the health check's reads prove a table answers, and read nothing. */
const healthProbeKeys = ['health#*'];

/**
 * A user change: one conditional UpdateItem that increments the revision and returns the session
 * references (ALL_NEW), then one that forgets the revoked references.
 */
const userChange: TableGrant = { actions: ['UpdateItem'] };

/** Revoking a session as logout does: the family's UpdateItem and the marker's upsert, one transaction. */
const sessionRevocation: TableGrant = {
  actions: ['UpdateItem'],
  leadingKeys: [...familyKeys, ...revocationMarkerKeys],
};

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
  authenticatedEntry({
    id: 'health-full',
    method: 'GET',
    path: '/health/full',
    roles: ['admin', 'health'],
    rateLimit: defaultLimit,
    tables: {
      // One consistent GetItem of an item that never exists (`health#probe`) per table: reachability
      // within the request path's deadline, nothing read. The API-key Scan counts unlimited keys.
      users: [{ actions: ['GetItem'], leadingKeys: healthProbeKeys }],
      rateLimits: [{ actions: ['GetItem'], leadingKeys: healthProbeKeys }],
      sessions: [{ actions: ['GetItem'], leadingKeys: healthProbeKeys }],
      apiKeys: [{ actions: ['Scan'] }],
      // Each breaker's shared state (GetItem of `cb#<dependency>`), reported beside the components.
      breakers: [breakerStatusGrant(TRIAGE_MODEL_DEPENDENCY)],
    },
    // The signing-key secret's rotation dates (DescribeSecret), never its value.
    secretMetadata: ['jwtSigningKeys'],
    description:
      'Every backend, the signing-key age, limiter counters and guard-rail state (admin or health role)',
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
      // Reads the user; the session's transaction adds its reference to the record on condition that
      // the record is unchanged (UpdateItem), and stale references are forgotten (UpdateItem).
      users: [{ actions: ['GetItem', 'UpdateItem'] }],
      // The login throttle reads (consistently, its three streaks in one TransactGetItems, which IAM
      // authorises as a GetItem per item), counts, blocks, takes the attempt slot of and clears
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
    body: { carriesPassword: true },
    capacity: 'credentials',
    hashesPasswords: true,
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
    body: {},
    capacity: 'credentials',
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
    body: { optional: true },
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
    body: { carriesPassword: true },
    hashesPasswords: true,
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
    body: {},
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
    body: {},
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
  authenticatedEntry({
    id: 'rotate-api-key',
    method: 'POST',
    path: '/admin/api-keys/{key_id}/rotate',
    ...admin,
    rateLimit: defaultLimit,
    // One conditional UpdateItem: the new hash, the old one kept for the overlap (ALL_NEW, no read).
    tables: { apiKeys: [{ actions: ['UpdateItem'] }] },
    description: 'Issue a new secret for an API key; the old one works for the overlap (shown once)',
    body: { optional: true },
  }),
  authenticatedEntry({
    id: 'list-users',
    method: 'GET',
    path: '/admin/users',
    ...admin,
    rateLimit: defaultLimit,
    // A Scan projected to what listings show (never the hash or the session references).
    tables: { users: [{ actions: ['Scan'] }] },
    description: 'List users (never a password hash)',
  }),
  authenticatedEntry({
    id: 'show-user',
    method: 'GET',
    path: '/admin/users/{username}',
    ...admin,
    rateLimit: defaultLimit,
    tables: { users: [{ actions: ['GetItem'] }] },
    description: 'Show one user',
  }),
  authenticatedEntry({
    id: 'update-user',
    method: 'PATCH',
    path: '/admin/users/{username}',
    ...admin,
    rateLimit: defaultLimit,
    tables: { users: [userChange], sessions: [sessionRevocation] },
    description: "Change a user's roles or disable the user (revokes every session)",
    body: {},
  }),
  authenticatedEntry({
    id: 'set-user-password',
    method: 'PUT',
    path: '/admin/users/{username}/password',
    ...admin,
    rateLimit: defaultLimit,
    tables: { users: [userChange], sessions: [sessionRevocation] },
    description: "Reset a user's password (revokes every session)",
    body: { carriesPassword: true },
    hashesPasswords: true,
  }),
  authenticatedEntry({
    id: 'revoke-user-sessions',
    method: 'POST',
    path: '/admin/users/{username}/sessions/revoke',
    ...admin,
    rateLimit: defaultLimit,
    tables: { users: [userChange], sessions: [sessionRevocation] },
    description: 'Revoke every refresh family and access token of a user at once',
  }),
  authenticatedEntry({
    id: 'delete-user',
    method: 'DELETE',
    path: '/admin/users/{username}',
    ...admin,
    rateLimit: defaultLimit,
    // Disables (UpdateItem), revokes every session, then deletes if unchanged (DeleteItem).
    tables: { users: [{ actions: ['UpdateItem', 'DeleteItem'] }], sessions: [sessionRevocation] },
    description: 'Delete a user (disables it and revokes every session first)',
  }),
  authenticatedEntry({
    id: 'summarize-errors',
    method: 'POST',
    path: '/debug/summarize-errors',
    ...admin,
    // Each call may run a Logs Insights query and a model call: a few a minute per admin is plenty.
    rateLimit: { policy: { kind: 'token_bucket', burst: 3, perSeconds: 60 } },
    // The model's breaker (shared state and last good answers) is the only table state it touches.
    tables: {
      breakers: [breakerStateGrant(TRIAGE_MODEL_DEPENDENCY), lastGoodGrant(TRIAGE_MODEL_DEPENDENCY)],
    },
    capabilities: ['log-triage'],
    description: 'Summarise recent error logs: redacted, grouped, with a model summary when one is set',
    body: { optional: true },
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
