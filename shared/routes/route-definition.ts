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

/**
 * How a function is sized and fenced in (StageConfig.capacity): its reserved concurrency, so that no class
 * can starve another or the account, and the stage throttle of its methods. `credentials`: the routes that
 * check passwords or issue tokens (login, refresh), throttled far below reads; `public`: unauthenticated
 * reads (health, JWKS); `standard`: authenticated routes; `admin`: routes only admins may call; `fallback`:
 * CORS preflight and 405 answers. capacityClassOf() gives the default.
 */
export type CapacityClass = 'credentials' | 'public' | 'standard' | 'admin' | 'fallback';
export const capacityClasses: readonly CapacityClass[] = [
  'credentials',
  'public',
  'standard',
  'admin',
  'fallback',
];

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
  /**
   * Secrets whose metadata (rotation dates, `secretsmanager:DescribeSecret`) the function reads, never
   * their value: the CDK stack grants DescribeSecret alone and sets the secret's variable.
   */
  readonly secretMetadata?: readonly SecretId[];
  /**
   * AWS access beyond tables and secrets, granted by the CDK construct: `log-triage` reads the stage's
   * function log groups with Logs Insights and invokes the configured TRIAGE_MODEL_ID (and nothing else).
   */
  readonly capabilities?: readonly 'log-triage'[];
  readonly description: string;
  /** Sizing and fencing; capacityClassOf() derives it from `auth` and `roles` when absent. */
  readonly capacity?: CapacityClass;
  /**
   * The function hashes passwords (bcrypt): CPU-bound, and Lambda's CPU grows with memory, so it gets the
   * stage's `hashingMemorySizeMb`; every other function gets `memorySizeMb`.
   */
  readonly hashesPasswords?: boolean;
  /**
   * What the function needs of the realtime gateway (ADR 0014): `url` gives it the WebSocket URL
   * (REALTIME_URL); `manage-connections` also the stage's management API (REALTIME_CALLBACK_URL) and
   * `execute-api:ManageConnections` on it. A table with such an entry needs BulwarkApi's `realtime` option.
   */
  readonly realtime?: 'url' | 'manage-connections';
}

/**
 * The route takes a JSON body. Its schema lives in the route module (its `body` option), which the entry
 * must not import: every function loads the whole table, and the bodies would bring other routes' code
 * (and zod classic) into every bundle. The CDK construct reads the schema from the route module's contract
 * and turns it into the method's API Gateway model (requestModelSchemaOf()), so a body that does not fit
 * stops at the gateway without invoking the function. A module that validates a body its entry does not
 * declare (or none where the entry declares one) is refused when it is built.
 */
export interface RouteBody {
  /**
   * The body may be left out (the module's `emptyBody`). API Gateway cannot express "absent or valid",
   * so such a method gets no model: only the function validates it.
   */
  readonly optional?: boolean;
  /**
   * The body holds a password. A password may contain anything (`<script`, `../`, `http://`), so the WAF's
   * managed body-content rules (cross-site scripting, path traversal, remote file inclusion) only count on
   * this route instead of blocking; the strict schema and the function still apply (ADR 0010).
   */
  readonly carriesPassword?: boolean;
}

/** What a function's deployment needs from its declaration: its id, what it touches, and a description. */
export type InvokedFunction = Pick<
  SecuredFunction,
  'id' | 'tables' | 'secrets' | 'secretMetadata' | 'description' | 'capacity' | 'hashesPasswords'
>;

/** A route or the fallback (an entry with authentication and a limit), not a function invoked otherwise. */
export const isSecuredFunction = (invoked: InvokedFunction): invoked is SecuredFunction => 'auth' in invoked;

export interface RouteDefinition extends SecuredFunction {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` segments are path parameters. */
  readonly path: string;
  /** The JSON body, for routes that take one. */
  readonly body?: RouteBody;
}

/**
 * A function's capacity class: its entry's `capacity` (the fallback's is `fallback`), else `public` for
 * unauthenticated routes, `admin` for routes only the admin role may call, `standard` for the rest.
 */
export const capacityClassOf = (secured: SecuredFunction): CapacityClass => {
  if (secured.capacity !== undefined) return secured.capacity;
  if (secured.auth === 'public') return 'public';
  const roles = secured.roles ?? [];
  return roles.length > 0 && roles.every((role) => role === 'admin') ? 'admin' : 'standard';
};

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

/**
 * The breakers table (shared/adapters/dynamodb/dynamodb-breaker-store.ts): one circuit's shared state
 * (`cb#<dependency>`, read consistently and moved by conditional updates) and its last good answers
 * (`lkg#<dependency>#<request shape>`). Grants name the dependency, so a function reaches only its own.
 */
export const breakerStateGrant = (dependency: string): TableGrant => ({
  actions: ['GetItem', 'UpdateItem'],
  leadingKeys: [`cb#${dependency}`],
});
export const lastGoodGrant = (dependency: string): TableGrant => ({
  actions: ['GetItem', 'UpdateItem'],
  leadingKeys: [`lkg#${dependency}#*`],
});
/** What /health/full needs to report a circuit: its shared state, read only. */
export const breakerStatusGrant = (dependency: string): TableGrant => ({
  actions: ['GetItem'],
  leadingKeys: [`cb#${dependency}`],
});

/** Every function's rate limiter: one conditional UpdateItem (alone, or as the Update of a transaction). */
export const limiterUpdate: TableGrant = { actions: ['UpdateItem'], leadingKeys: limiterKeys };

/**
 * What authentication itself touches: API key records by id (a consistent GetItem, and the UpdateItem
 * that keeps a key's limiter state on its record and proves the record current: ADR 0005) and their pepper,
 * the public keys that verify access tokens (never the private signing key, ADR 0006), the revocation
 * marker of a token's session, and the limiter's write. The marker is proven absent by a ConditionCheck
 * inside the limiter's transaction, or read consistently (GetItem) when concurrent transactions on it
 * conflict; nothing else of the sessions table is readable.
 */
const authenticatedTables = {
  apiKeys: [{ actions: ['GetItem', 'UpdateItem'] }],
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
 * Deployed behind `ANY` on every resource that serves a route (API Gateway answers unknown paths itself);
 * locally it gets every unmatched request.
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
  capacity: 'fallback',
});

/**
 * Issues the first admin API key of a deployed stage (functions/bootstrap-admin). Not a route: only IAM
 * principals allowed to invoke it can, so no HTTP caller can mint an admin. It lists the keys (a scan:
 * refuses while an admin key is active) and writes the new record.
 */
export const firstAdminFunction: InvokedFunction = Object.freeze<InvokedFunction>({
  id: 'bootstrap-admin',
  tables: { apiKeys: [{ actions: ['Scan'] }, { actions: ['PutItem'] }] },
  secrets: ['apiKeyPepper'],
  // Invoked a handful of times in a stage's life: the smallest reservation.
  capacity: 'admin',
  description: 'Issues the first admin API key of a deployed stage (invoked through IAM only)',
});
