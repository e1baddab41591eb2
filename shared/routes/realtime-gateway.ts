import type { SecretId } from '../resources/secret-definitions.js';
import type { TableId } from '../resources/table-definitions.js';
import {
  channelKeys,
  connectionKeys,
  datasourceKeys,
  ownerKeys,
  removeConnectionGrants,
  revocationFeedKeys,
  tokenKeys,
} from './realtime-routes.js';
import { limiterUpdate, revocationMarkerKeys, type TableGrants } from './route-definition.js';

/** What starts a gateway function: a WebSocket route of the API, or the revocation streams. */
export type GatewayTrigger =
  | { readonly kind: 'websocket'; readonly routeKey: '$connect' | '$disconnect' | '$default' }
  | { readonly kind: 'streams'; readonly sources: readonly StreamSource[] };

/**
 * One table's stream as a gateway function reads it: only records of these events, and (when given) only
 * items whose partition key starts with `partitionKeyPrefix` or equals `partitionKey`. The CDK event
 * source mapping filters with the same rules, and so does the local stream poller.
 */
export interface StreamSource {
  readonly table: TableId;
  readonly events: readonly ('INSERT' | 'MODIFY' | 'REMOVE')[];
  readonly partitionKeyPrefix?: string;
  readonly partitionKey?: string;
}

/** A function of the realtime gateway: not a REST route, but granted from its entry the same way. */
export interface GatewayFunction {
  readonly id: string;
  readonly trigger: GatewayTrigger;
  readonly tables: TableGrants;
  readonly secrets: readonly SecretId[];
  readonly realtime?: 'url' | 'manage-connections';
  readonly description: string;
}

/** Freezes a gateway table and keeps its entries' literal ids. */
export const defineGateway = <const T extends readonly GatewayFunction[]>(table: T): T =>
  Object.freeze(table);

/**
 * The realtime gateway's functions: `$connect` (verifies the token in Sec-WebSocket-Protocol, applies the
 * connect limits, consumes the token and records the connection in one transaction), `$disconnect`,
 * `$default` (every client message) and the revocation function on the tables' streams.
 */
export const realtimeGateway = defineGateway([
  {
    id: 'realtime-connect',
    trigger: { kind: 'websocket', routeKey: '$connect' },
    tables: {
      rateLimits: [limiterUpdate],
      realtime: [
        // The token is consumed by one conditional DeleteItem; the connection and its owners are Puts.
        { actions: ['DeleteItem'], leadingKeys: tokenKeys },
        { actions: ['PutItem'], leadingKeys: [...connectionKeys, ...ownerKeys] },
        { actions: ['ConditionCheckItem'], leadingKeys: datasourceKeys },
      ],
      // Proven inside the connect transaction: the session's marker is absent, the API key unrevoked.
      sessions: [{ actions: ['ConditionCheckItem'], leadingKeys: revocationMarkerKeys }],
      apiKeys: [{ actions: ['ConditionCheckItem'] }],
    },
    secrets: [],
    description: 'Realtime $connect: datasource token, connect limits, single-use consumption',
  },
  {
    id: 'realtime-disconnect',
    trigger: { kind: 'websocket', routeKey: '$disconnect' },
    tables: { realtime: removeConnectionGrants },
    secrets: [],
    description: 'Realtime $disconnect: forgets the connection (best effort, as API Gateway sends it)',
  },
  {
    id: 'realtime-message',
    trigger: { kind: 'websocket', routeKey: '$default' },
    tables: {
      rateLimits: [limiterUpdate],
      // An API key's subscribe proves, in its transaction, that the key still holds a read role.
      apiKeys: [{ actions: ['ConditionCheckItem'] }],
      realtime: [
        { actions: ['GetItem'], leadingKeys: [...connectionKeys, ...datasourceKeys] },
        { actions: ['UpdateItem'], leadingKeys: connectionKeys },
        { actions: ['PutItem', 'DeleteItem'], leadingKeys: channelKeys },
      ],
    },
    secrets: [],
    description: 'Realtime messages: subscribe and unsubscribe',
  },
  {
    id: 'realtime-revocations',
    trigger: {
      kind: 'streams',
      sources: [
        { table: 'sessions', events: ['INSERT', 'MODIFY'], partitionKeyPrefix: 'revoked#' },
        { table: 'apiKeys', events: ['MODIFY'] },
        { table: 'realtime', events: ['REMOVE'], partitionKey: datasourceKeys[0] },
      ],
    },
    tables: {
      realtime: [
        { actions: ['Query'], leadingKeys: ownerKeys },
        ...removeConnectionGrants,
        { actions: ['PutItem'], leadingKeys: revocationFeedKeys },
      ],
      // Whether a changed API key is now revoked (the stream carries keys only).
      apiKeys: [{ actions: ['GetItem'] }],
    },
    secrets: [],
    realtime: 'manage-connections',
    description: 'Closes the connections of revoked sessions and API keys and of deleted datasources',
  },
]);

/** Every gateway function id, for bundles, the local stack and the CDK construct. */
export const gatewayFunctionIds = (): string[] => realtimeGateway.map((fn) => fn.id);
