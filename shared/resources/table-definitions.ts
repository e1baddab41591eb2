/**
 * DynamoDB tables as plain data. The CDK data stack and the local stack both create tables from this
 * list, so a key-schema change cannot reach one and miss the other.
 */
export interface TableDefinition {
  /** Short id used by the route table to ask for access. */
  readonly id: TableId;
  /** Environment variable through which a function learns the table name. */
  readonly environmentVariable: string;
  readonly partitionKey: { readonly name: string; readonly type: 'S' };
  /** Items that share a partition (a datasource list, a channel's subscribers) are told apart by it. */
  readonly sortKey?: { readonly name: string; readonly type: 'S' };
  /**
   * A DynamoDB stream of item keys, read by the realtime gateway's revocation function: a revocation
   * marker, a revoked API key or a deleted datasource closes the open connections it covers (ADR 0014).
   */
  readonly stream?: 'KEYS_ONLY';
  /** Attribute holding epoch seconds; DynamoDB TTL only cleans up, correctness never relies on it. */
  readonly timeToLiveAttribute?: string;
}

export type TableId = 'users' | 'rateLimits' | 'sessions' | 'apiKeys' | 'breakers' | 'realtime';

export const tableDefinitions: Readonly<Record<TableId, TableDefinition>> = Object.freeze({
  users: {
    id: 'users',
    environmentVariable: 'USERS_TABLE_NAME',
    partitionKey: { name: 'username', type: 'S' },
  },
  rateLimits: {
    id: 'rateLimits',
    environmentVariable: 'RATE_LIMIT_TABLE_NAME',
    // One item per limited key: rate-limit buckets and windows (`rl#...`) and login failure streaks (`login#...`).
    partitionKey: { name: 'pk', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
  },
  sessions: {
    id: 'sessions',
    environmentVariable: 'SESSIONS_TABLE_NAME',
    // Refresh-token families (`family#...`), session pointers (`session#...`) and revocation markers
    // (`revoked#<session id>`), which every authenticated request proves absent.
    partitionKey: { name: 'pk', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
    stream: 'KEYS_ONLY',
  },
  apiKeys: {
    id: 'apiKeys',
    environmentVariable: 'API_KEYS_TABLE_NAME',
    partitionKey: { name: 'keyId', type: 'S' },
    stream: 'KEYS_ONLY',
  },
  realtime: {
    id: 'realtime',
    environmentVariable: 'REALTIME_TABLE_NAME',
    // Datasources (`datasource` / <id>), datasource tokens (`token#<hash>`), open connections
    // (`connection#<id>`), who owns them (`owner#<session|api_key|datasource>:<id>` / <connection id>),
    // channel subscribers (`channel#<channel>` / <connection id>) and the revocation feed
    // (`revocations#<hour>` / <time>#<kind>#<id>). shared/adapters/dynamodb/dynamodb-realtime-store.ts.
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
    stream: 'KEYS_ONLY',
  },
  breakers: {
    id: 'breakers',
    environmentVariable: 'BREAKER_TABLE_NAME',
    // Circuit breakers of non-security dependencies: the shared state of each (`cb#<dependency>`) and the
    // last good answers served while one is down (`lkg#<dependency>#<request shape>`).
    partitionKey: { name: 'pk', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
  },
});
