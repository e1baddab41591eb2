import type { RateLimitPolicy } from '../domain/rate-limit/rate-limit-policy.js';
import type { Role } from '../domain/users/user.js';
import type { SecretId } from '../resources/secret-definitions.js';
import type { TableId } from '../resources/table-definitions.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type { LimiterFailureMode } from '../domain/rate-limit/limiter-failure-mode.js';

import type { LimiterFailureMode } from '../domain/rate-limit/limiter-failure-mode.js';

/**
 * The DynamoDB item actions a function may be granted. A TransactWriteItems call needs no action of its
 * own: IAM checks each item as the action it performs (Put as PutItem, Update as UpdateItem, Delete as
 * DeleteItem, ConditionCheck as ConditionCheckItem). Query reads one partition, so it carries its
 * partition key and is granted by leading key like an item action (only the realtime table has
 * partitions of several items). The batch calls are never used; streams only by the stream functions.
 */
export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'Query';

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
  /**
   * What the function needs of the realtime gateway (ADR 0014): `url` gives it the WebSocket URL
   * (REALTIME_URL); `manage-connections` also the stage's management API (REALTIME_CALLBACK_URL) and
   * `execute-api:ManageConnections` on it. A table with such an entry needs BulwarkApi's `realtime` option.
   */
  readonly realtime?: 'url' | 'manage-connections';
}

export interface RouteDefinition extends SecuredFunction {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` segments are path parameters. */
  readonly path: string;
}

/** A route table: Bulwark's own, a team's, or both together. */
export type RouteTable = readonly RouteDefinition[];

/** The ids of a table as a type, so a route module names its entry and `tsc` checks the name. */
export type RouteIdOf<T extends RouteTable> = T[number]['id'];
export type PublicRouteIdOf<T extends RouteTable> = Extract<T[number], { readonly auth: 'public' }>['id'];
export type AuthenticatedRouteIdOf<T extends RouteTable> = Extract<
  T[number],
  { readonly auth: 'required' }
>['id'];

/**
 * Partition keys as the code builds them (`*`: IAM StringLike). The rate-limit table holds limiter state
 * (`rl#<route>#<key>`, shared/middlewares/rate-limit.ts) and login failure streaks (`login#...`,
 * shared/domain/login-throttle/login-throttle.ts); the sessions table holds refresh families
 * (`family#`), session pointers (`session#`) and revocation markers (`revoked#`,
 * shared/adapters/dynamodb/dynamodb-session-store.ts).
 */
export const limiterKeys = ['rl#*'];
export const loginThrottleKeys = ['login#*'];
export const familyKeys = ['family#*'];
export const sessionPointerKeys = ['session#*'];
export const revocationMarkerKeys = ['revoked#*'];

/** Every function's rate limiter: one conditional UpdateItem (alone, or as the Update of a transaction). */
export const limiterUpdate: TableGrant = { actions: ['UpdateItem'], leadingKeys: limiterKeys };

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

/**
 * An authenticated route: `auth: 'required'`, plus what authentication itself needs (grants and
 * secrets) merged into the route's own. Keeps the literal id, so route ids stay a type.
 */
export const authenticatedEntry = <
  const R extends Omit<RouteDefinition, 'auth' | 'tables' | 'secrets'> & {
    readonly tables?: TableGrants;
    readonly secrets?: readonly SecretId[];
  },
>(
  route: R,
): Omit<R, 'tables' | 'secrets'> & {
  readonly auth: 'required';
  readonly tables: TableGrants;
  readonly secrets: readonly SecretId[];
} => ({
  ...route,
  auth: 'required',
  tables: mergeTables(authenticatedTables, route.tables),
  secrets: [...new Set([...authenticationSecrets, ...(route.secrets ?? [])])],
});

/** A public route: no authentication; keyed by client address for its rate limit. */
export const publicEntry = <const R extends Omit<RouteDefinition, 'auth'>>(
  route: R,
): R & { readonly auth: 'public' } => ({ ...route, auth: 'public' });

export const admin = { roles: ['admin'] } as const;
export const defaultLimit: RouteRateLimit = { policy: 'default' };

/** Freezes a table and keeps its entries' literal types (ids, methods, auth). */
export const defineRoutes = <const T extends RouteTable>(table: T): T => Object.freeze(table);

/**
 * Answers OPTIONS (CORS preflight), unknown paths (404) and known paths with another method (405).
 * Deployed behind `ANY` on every resource and on `/{proxy+}`; locally it gets every unmatched request.
 */
export const fallbackRoute: SecuredFunction = Object.freeze<SecuredFunction>({
  id: 'route-fallback',
  auth: 'public',
  // A preflight for a served path is never limited (it must always pass); OPTIONS at unknown paths and
  // 404/405 floods are, per client IP (routeFallback passes the exemption).
  rateLimit: { policy: 'default' },
  tables: { rateLimits: [limiterUpdate] },
  secrets: [],
  description: 'CORS preflight, 404 and 405 answers',
});
