import type { RateLimitPolicy } from '../domain/rate-limit/rate-limit-policy.js';
import type { Role } from '../domain/users/user.js';
import type { SecretId } from '../tables/secret-definitions.js';
import type { TableId } from '../tables/table-definitions.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type LimiterFailureMode = 'fail-closed' | 'fail-open';

/**
 * The DynamoDB item actions a function may be granted. A TransactWriteItems call needs no action of its
 * own: IAM checks each item as the action it performs (Put as PutItem, Update as UpdateItem, Delete as
 * DeleteItem, ConditionCheck as ConditionCheckItem). Query, the batch calls and streams are never used.
 */
export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem';

/**
 * One IAM statement on a table: `actions` on the items whose partition key matches one of
 * `leadingKeys` (IAM `StringLike` patterns, `*` for any characters; `dynamodb:LeadingKeys` under
 * `ForAllValues:StringLike`), or on any item when `leadingKeys` is absent. Scan reads the whole table and
 * carries no key, so a key condition would be vacuously true: Scan stands alone and without one.
 */
export type TableGrant =
  | { readonly actions: readonly ItemAction[]; readonly leadingKeys?: readonly string[] }
  | { readonly actions: readonly ['Scan'] };

export type TableGrants = Readonly<Partial<Record<TableId, readonly TableGrant[]>>>;

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
  /**
   * What the function's code does on each table, no more: the CDK stack grants exactly these statements
   * and sets the matching variables; tests check them against the calls the code makes.
   */
  readonly tables: TableGrants;
  readonly secrets: readonly SecretId[];
  readonly description: string;
}

export interface RouteDefinition extends SecuredFunction {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` segments are path parameters. */
  readonly path: string;
}

/**
 * Partition keys as the code builds them (`*`: IAM StringLike). The rate-limit table holds limiter state
 * (`rl#<route>#<key>`, shared/middlewares/rate-limit.ts) and login failure streaks (`login#...`,
 * shared/domain/login-throttle/login-throttle.ts); the sessions table holds refresh families
 * (`family#`), session pointers (`session#`) and revocation markers (`revoked#`,
 * shared/adapters/dynamodb/dynamodb-session-store.ts).
 */
const limiterKeys = ['rl#*'];
const loginThrottleKeys = ['login#*'];
const familyKeys = ['family#*'];
const sessionPointerKeys = ['session#*'];
const revocationMarkerKeys = ['revoked#*'];

/** Every function's rate limiter: one conditional UpdateItem (alone, or as the Update of a transaction). */
const limiterUpdate: TableGrant = { actions: ['UpdateItem'], leadingKeys: limiterKeys };

/**
 * What authentication itself touches: API key records by id (a consistent GetItem) and their pepper,
 * the public keys that verify access tokens (never the private signing key, ADR 0006), the revocation
 * marker of a token's session, and the limiter's write. The marker is proven absent by a ConditionCheck
 * inside the limiter's transaction, or read consistently (GetItem) when concurrent transactions on it
 * conflict; nothing else of the sessions table is readable.
 */
const authenticatedTables = {
  apiKeys: [{ actions: ['GetItem'] }],
  sessions: [{ actions: ['ConditionCheckItem', 'GetItem'], leadingKeys: revocationMarkerKeys }],
  rateLimits: [limiterUpdate],
} as const satisfies TableGrants;
const authenticationSecrets: readonly SecretId[] = ['jwtVerificationKeys', 'apiKeyPepper'];

/** Both sets of grants, table by table: IAM allows what any statement allows. */
const mergeTables = (base: TableGrants, extra: TableGrants = {}): TableGrants => {
  const merged: Partial<Record<TableId, readonly TableGrant[]>> = { ...base };
  for (const [id, grants] of Object.entries(extra) as [TableId, readonly TableGrant[]][]) {
    merged[id] = [...(merged[id] ?? []), ...grants];
  }
  return merged;
};

const authenticated = (
  route: Omit<RouteDefinition, 'auth' | 'tables' | 'secrets'> & {
    readonly tables?: TableGrants;
    readonly secrets?: readonly SecretId[];
  },
): RouteDefinition => ({
  ...route,
  auth: 'required',
  tables: mergeTables(authenticatedTables, route.tables),
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
    tables: { rateLimits: [limiterUpdate] },
    secrets: [],
    description: 'Liveness probe',
  },
  {
    id: 'jwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    auth: 'public',
    rateLimit: defaultLimit,
    tables: { rateLimits: [limiterUpdate] },
    secrets: ['jwtVerificationKeys'],
    description: 'Public keys that verify access tokens',
  },
  {
    id: 'login',
    method: 'POST',
    path: '/auth/login',
    auth: 'public',
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
  },
  {
    id: 'refresh-token',
    method: 'POST',
    path: '/auth/token/refresh',
    auth: 'public',
    rateLimit: defaultLimit,
    tables: {
      rateLimits: [limiterUpdate],
      // Rotation is one conditional UpdateItem on the family (a failed condition returns the family, so no
      // read); a replay revokes in one transaction that updates the family and upserts the marker.
      sessions: [{ actions: ['UpdateItem'], leadingKeys: [...familyKeys, ...revocationMarkerKeys] }],
    },
    secrets: ['jwtSigningKeys'],
    description: 'Rotate a refresh token into a new token pair',
  },
  authenticated({
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
  authenticated({
    id: 'current-user',
    method: 'GET',
    path: '/api/v1/user/me',
    rateLimit: defaultLimit,
    tables: { users: [{ actions: ['GetItem'] }] },
    description: 'The calling principal',
  }),
  authenticated({
    id: 'create-user',
    method: 'POST',
    path: '/api/v1/user',
    ...admin,
    rateLimit: defaultLimit,
    // One conditional PutItem (attribute_not_exists): no read of existing users.
    tables: { users: [{ actions: ['PutItem'] }] },
    description: 'Create a user',
  }),
  authenticated({
    id: 'create-api-key',
    method: 'POST',
    path: '/admin/api-keys',
    ...admin,
    rateLimit: defaultLimit,
    // One conditional PutItem of the new record.
    tables: { apiKeys: [{ actions: ['PutItem'] }] },
    description: 'Issue an API key (the secret is shown once)',
  }),
  authenticated({
    id: 'list-api-keys',
    method: 'GET',
    path: '/admin/api-keys',
    ...admin,
    rateLimit: defaultLimit,
    // The only Scan in Bulwark: every key's metadata (projected; secret hashes are never returned).
    tables: { apiKeys: [{ actions: ['Scan'] }] },
    description: 'List API keys (never their secrets)',
  }),
  authenticated({
    id: 'update-api-key',
    method: 'PATCH',
    path: '/admin/api-keys/{key_id}',
    ...admin,
    rateLimit: defaultLimit,
    // One conditional UpdateItem returning the new record (ALL_NEW needs no GetItem).
    tables: { apiKeys: [{ actions: ['UpdateItem'] }] },
    description: "Change an API key's roles or rate limit",
  }),
  authenticated({
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
 * Answers OPTIONS (CORS preflight), unknown paths (404) and known paths with another method (405).
 * Deployed behind `ANY` on every resource and on `/{proxy+}`; locally it gets every unmatched request.
 */
export const fallbackRoute: SecuredFunction = Object.freeze<SecuredFunction>({
  id: 'route-fallback',
  auth: 'public',
  // OPTIONS is never limited (preflight must always pass); 404/405 floods are, per client IP.
  rateLimit: { policy: 'default' },
  tables: { rateLimits: [limiterUpdate] },
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
