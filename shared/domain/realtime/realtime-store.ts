import type { Role } from '../users/user.js';
import type { Datasource } from './datasource.js';
import type { DatasourceTokenGrant } from './datasource-token.js';

/** The principal a connection was opened for, as its datasource token named it. */
export interface ConnectionPrincipal {
  readonly kind: 'user' | 'api_key' | 'auth_disabled';
  readonly id: string;
  readonly roles: readonly Role[];
  /** A user's refresh session: revoking it closes the connection. */
  readonly sessionId?: string;
}

/** One open WebSocket connection, written at `$connect` and removed when it closes. */
export interface ConnectionRecord {
  readonly connectionId: string;
  readonly principal: ConnectionPrincipal;
  /** The one datasource its token covers. */
  readonly datasourceId: string;
  /** Resolved once at `$connect` (headers exist only there) and used for every later limit. */
  readonly clientIp: string;
  readonly connectedAtMs: number;
  /** Channel names it is subscribed to. */
  readonly channels: readonly string[];
}

/**
 * What can close connections: a refresh session, an API key, a datasource. `owner#<owner>` items list the
 * connections each one covers, so a revocation finds them with one query.
 */
export type ConnectionOwner = `session:${string}` | `api_key:${string}` | `datasource:${string}`;

export const ownersOf = (
  connection: Pick<ConnectionRecord, 'principal' | 'datasourceId'>,
): ConnectionOwner[] => [
  ...(connection.principal.sessionId === undefined
    ? []
    : [`session:${connection.principal.sessionId}` as const]),
  ...(connection.principal.kind === 'api_key' ? [`api_key:${connection.principal.id}` as const] : []),
  `datasource:${connection.datasourceId}`,
];

/** Why a connection could not be opened; `opened` otherwise. */
export type OpenConnectionResult = 'opened' | 'revoked' | 'datasource_missing';

/** What consuming a token found: its grant, or why there is none (never minted, used, or expired). */
export type ConsumedToken =
  | { readonly outcome: 'consumed'; readonly grant: DatasourceTokenGrant }
  | { readonly outcome: 'unknown' | 'expired' };

export type SubscribeResult =
  | 'subscribed'
  | 'already_subscribed'
  | 'limit_reached'
  | 'connection_gone'
  /** The API key behind the connection no longer holds a read role, or is revoked or expired. */
  | 'role_missing';

/** One revoked session or API key, as the internal gateway endpoint lists them. */
export interface RevocationEntry {
  readonly kind: 'session' | 'api_key';
  readonly id: string;
  readonly revokedAtMs: number;
  /**
   * When the feed recorded it: the feed's order. A reader's cursor moves along this time, and the feed
   * only lists entries older than a settle delay, so an entry recorded late cannot land behind a cursor.
   */
  readonly recordedAtMs: number;
}

/**
 * Port of the realtime table. Every change is one conditional write or one transaction; implementations
 * throw DependencyUnavailableError for backend failures and never for a failed condition, which is an
 * answer.
 */
export interface RealtimeStore {
  /** Creates or replaces a datasource's roles; `createdAtMs` of an existing one is kept. */
  readonly putDatasource: (input: {
    readonly id: string;
    readonly readRoles: readonly Role[];
    readonly writeRoles: readonly Role[];
    readonly nowMs: number;
  }) => Promise<Datasource>;
  /** Strongly consistent. */
  readonly getDatasource: (id: string) => Promise<Datasource | undefined>;
  /** Every datasource, by id. */
  readonly listDatasources: () => Promise<readonly Datasource[]>;
  /** `false` when there was none. */
  readonly deleteDatasource: (id: string) => Promise<boolean>;

  /** Stores a minted token's grant under the token's hash (only if absent). */
  readonly createToken: (tokenHash: string, grant: DatasourceTokenGrant) => Promise<void>;
  /**
   * Single use: one conditional delete of the token's item, only while it has not expired, returning
   * what it granted. Of concurrent consumers exactly one gets `consumed`.
   */
  readonly consumeToken: (tokenHash: string, nowMs: number) => Promise<ConsumedToken>;
  /** A token's grant without consuming it (introspection); undefined when unknown or used. */
  readonly findToken: (tokenHash: string) => Promise<DatasourceTokenGrant | undefined>;

  /**
   * One transaction: proves the principal's session marker absent or its API key unrevoked, proves the
   * datasource exists, and writes the connection with its owner items. All or nothing, so a revocation or
   * a deletion that commits first is seen, and one that commits later finds the connection.
   */
  readonly openConnection: (input: {
    readonly connection: Omit<ConnectionRecord, 'channels'>;
    /** TTL of the connection's items: after API Gateway's 2-hour maximum. */
    readonly expiresAtSeconds: number;
  }) => Promise<OpenConnectionResult>;
  /** Strongly consistent. */
  readonly getConnection: (connectionId: string) => Promise<ConnectionRecord | undefined>;
  /**
   * Adds the channel to the connection (at most `maxSubscriptions`) and the connection to the channel;
   * with `apiKeyHolds`, only if that key, in the same transaction, is unrevoked, unexpired and holds one
   * of the roles (its record decides, not the roles its token was minted with).
   */
  readonly subscribe: (input: {
    readonly connectionId: string;
    readonly channel: string;
    readonly maxSubscriptions: number;
    readonly expiresAtSeconds: number;
    readonly apiKeyHolds?: {
      readonly keyId: string;
      readonly anyOfRoles: readonly string[];
      readonly nowMs: number;
    };
  }) => Promise<SubscribeResult>;
  /** Idempotent. */
  readonly unsubscribe: (input: { readonly connectionId: string; readonly channel: string }) => Promise<void>;
  /** Connection ids subscribed to a channel (strongly consistent, every page). */
  readonly subscribers: (channel: string) => Promise<readonly string[]>;
  /** Connection ids an owner covers (strongly consistent, every page). */
  readonly connectionsOwnedBy: (owner: ConnectionOwner) => Promise<readonly string[]>;
  /** Removes the connection and every item that names it; idempotent. */
  readonly removeConnection: (connectionId: string) => Promise<void>;

  /** Records revocations for `GET /internal/gateway/revoked-tokens`; idempotent per entry. */
  readonly recordRevocations: (
    entries: readonly RevocationEntry[],
    expiresAtSeconds: number,
  ) => Promise<void>;
  /** Entries recorded strictly after `after` (time, then kind and id) and until `untilMs`, oldest first. */
  readonly revocationsAfter: (input: {
    readonly after: RevocationCursor;
    readonly untilMs: number;
    readonly limit: number;
  }) => Promise<readonly RevocationEntry[]>;
}

/** A position in the revocation feed (a recorded time, kind and id): everything at or before it was seen. */
export interface RevocationCursor {
  readonly atMs: number;
  readonly kind: string;
  readonly id: string;
}
