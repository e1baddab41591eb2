import {
  admin,
  authenticatedEntry,
  defaultLimit,
  defineRoutes,
  type TableGrant,
} from './route-definition.js';

/**
 * Partition keys of the realtime table as the store builds them (`*`: IAM StringLike), one list per kind
 * of item (shared/adapters/dynamodb/dynamodb-realtime-store.ts): datasources share the partition
 * `datasource`; datasource tokens (by hash), connections, owner lists, channel subscribers and the revocation
 * feed each have a prefix.
 */
export const datasourceKeys = ['datasource'];
export const tokenKeys = ['token#*'];
export const connectionKeys = ['connection#*'];
export const ownerKeys = ['owner#*'];
export const channelKeys = ['channel#*'];
export const revocationFeedKeys = ['revocations#*'];

/** Removing a connection: its record read, then it, its owner items and its channel items deleted at once. */
export const removeConnectionGrants: readonly TableGrant[] = [
  { actions: ['GetItem'], leadingKeys: connectionKeys },
  { actions: ['DeleteItem'], leadingKeys: [...connectionKeys, ...ownerKeys, ...channelKeys] },
];

/**
 * The realtime REST routes (ADR 0014): datasources for admins, the datasource token mint and publish for
 * principals holding a datasource's roles, and the internal endpoints of a self-hosted gateway (role
 * `gateway`). Opt-in: a table includes them next to Bulwark's core routes, and BulwarkApi's `realtime`
 * option deploys the WebSocket gateway they need.
 */
export const realtimeRoutes = defineRoutes([
  authenticatedEntry({
    id: 'put-datasource',
    method: 'PUT',
    path: '/admin/datasources/{datasource_id}',
    body: {},
    ...admin,
    rateLimit: defaultLimit,
    // One UpdateItem that keeps createdAtMs (if_not_exists) and returns the new item.
    tables: { realtime: [{ actions: ['UpdateItem'], leadingKeys: datasourceKeys }] },
    description: 'Create or change a datasource: who may subscribe and publish',
  }),
  authenticatedEntry({
    id: 'list-datasources',
    method: 'GET',
    path: '/admin/datasources',
    ...admin,
    rateLimit: defaultLimit,
    // Every datasource is one item of the partition `datasource`: one Query, no Scan.
    tables: { realtime: [{ actions: ['Query'], leadingKeys: datasourceKeys }] },
    description: 'List datasources',
  }),
  authenticatedEntry({
    id: 'delete-datasource',
    method: 'DELETE',
    path: '/admin/datasources/{datasource_id}',
    ...admin,
    rateLimit: defaultLimit,
    // The deletion is seen by the revocation function (the table's stream), which closes the connections.
    tables: { realtime: [{ actions: ['DeleteItem'], leadingKeys: datasourceKeys }] },
    description: 'Delete a datasource; its open connections are closed',
  }),
  authenticatedEntry({
    id: 'create-datasource-token',
    method: 'POST',
    path: '/api/v1/datasources/{datasource_id}/token',
    rateLimit: defaultLimit,
    // Reads the datasource and writes the token's hash with its grant (one conditional PutItem); the
    // connect limits are two more limiter writes (rl#realtime-token#...).
    tables: {
      realtime: [
        { actions: ['GetItem'], leadingKeys: datasourceKeys },
        { actions: ['PutItem'], leadingKeys: tokenKeys },
      ],
    },
    realtime: 'url',
    description: 'Mint a single-use token to connect to the realtime gateway for one datasource',
  }),
  authenticatedEntry({
    id: 'publish-datasource-event',
    method: 'POST',
    path: '/api/v1/datasources/{datasource_id}/events',
    body: {},
    rateLimit: defaultLimit,
    tables: {
      realtime: [
        { actions: ['GetItem'], leadingKeys: datasourceKeys },
        { actions: ['Query'], leadingKeys: channelKeys },
        // Subscribers found gone are removed.
        ...removeConnectionGrants,
      ],
    },
    realtime: 'manage-connections',
    description: 'Send an event to every connection subscribed to a datasource',
  }),
  authenticatedEntry({
    id: 'introspect-datasource-token',
    method: 'POST',
    path: '/internal/gateway/datasource-introspect',
    body: {},
    roles: ['gateway'],
    rateLimit: defaultLimit,
    tables: {
      // The token's grant and whether its datasource exists; the session marker and the key's record are
      // read with the grants authentication already has.
      realtime: [{ actions: ['GetItem'], leadingKeys: [...tokenKeys, ...datasourceKeys] }],
    },
    description: 'Self-hosted gateway: whether a datasource token is active (not consumed)',
  }),
  authenticatedEntry({
    id: 'list-revoked-tokens',
    method: 'GET',
    path: '/internal/gateway/revoked-tokens',
    roles: ['gateway'],
    rateLimit: defaultLimit,
    tables: { realtime: [{ actions: ['Query'], leadingKeys: revocationFeedKeys }] },
    description: 'Self-hosted gateway: sessions and API keys revoked since a cursor',
  }),
  authenticatedEntry({
    id: 'consume-rate-limit',
    method: 'POST',
    path: '/internal/gateway/rate-limit/consume',
    body: {},
    roles: ['gateway'],
    rateLimit: defaultLimit,
    // The limiter's own write (rl#realtime-...), which authentication's limiter grant already covers.
    description: "Self-hosted gateway: spend one unit of a realtime limit, get the limiter's decision",
  }),
]);
