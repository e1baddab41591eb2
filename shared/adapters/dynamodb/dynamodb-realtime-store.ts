import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactionConflictException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Datasource } from '../../domain/realtime/datasource.js';
import type { DatasourceTokenGrant } from '../../domain/realtime/datasource-token.js';
import {
  type ConnectionOwner,
  type ConnectionPrincipal,
  type ConnectionRecord,
  type OpenConnectionResult,
  ownersOf,
  type RealtimeStore,
  type RevocationCursor,
  type RevocationEntry,
} from '../../domain/realtime/realtime-store.js';
import { sessionRevocationKey } from '../../domain/sessions/session-revocation-key.js';
import { roles as knownRoles, type Role } from '../../domain/users/user.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';

type Item = Record<string, AttributeValue>;

/**
 * Partition keys of the realtime table, one home: the store writes them and the route table's grants
 * name their prefixes (shared/routes/realtime-routes.ts).
 */
export const realtimeKeys = {
  datasources: 'datasource',
  token: (tokenHash: string) => `token#${tokenHash}`,
  connection: (connectionId: string) => `connection#${connectionId}`,
  owner: (owner: ConnectionOwner) => `owner#${owner}`,
  channel: (channel: string) => `channel#${channel}`,
  revocations: (hourStartMs: number) => `revocations#${hourStartMs}`,
} as const;

const connectionSortKey = 'connection';
const grantSortKey = 'grant';
/** A token's item outlives its expiry a little (TTL only cleans up; expiry is checked in the condition). */
const tokenItemMarginSeconds = 5 * 60;
const hourMs = 60 * 60 * 1000;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const key = (pk: string, sk: string): Item => ({ pk: s(pk), sk: s(sk) });
const rolesValue = (roles: readonly Role[]): AttributeValue => ({ L: roles.map(s) });

/** A stored item this adapter cannot read back: a bug or a hand edit, never a client's doing (500). */
export class RealtimeItemCorruptError extends Error {
  constructor(pk: string | undefined, attribute: string) {
    super(`realtime item ${pk ?? '(no pk)'} has an invalid ${attribute}`);
    this.name = 'RealtimeItemCorruptError';
  }
}

const rolesOf = (item: Item, attribute: string): Role[] =>
  (item[attribute]?.L ?? []).map((entry) => {
    if (!knownRoles.includes(entry.S as Role)) throw new RealtimeItemCorruptError(item.pk?.S, attribute);
    return entry.S as Role;
  });

const numberOf = (item: Item, attribute: string): number => {
  const value = Number(item[attribute]?.N ?? Number.NaN);
  if (!Number.isSafeInteger(value)) throw new RealtimeItemCorruptError(item.pk?.S, attribute);
  return value;
};

const stringOf = (item: Item, attribute: string): string => {
  const value = item[attribute]?.S;
  if (value === undefined) throw new RealtimeItemCorruptError(item.pk?.S, attribute);
  return value;
};

const datasourceOf = (item: Item): Datasource => ({
  id: stringOf(item, 'sk'),
  readRoles: rolesOf(item, 'readRoles'),
  writeRoles: rolesOf(item, 'writeRoles'),
  createdAtMs: numberOf(item, 'createdAtMs'),
  updatedAtMs: numberOf(item, 'updatedAtMs'),
});

const principalKinds = ['user', 'api_key', 'auth_disabled'] as const;

const principalOf = (item: Item): ConnectionPrincipal => {
  const kind = stringOf(item, 'principalKind') as ConnectionPrincipal['kind'];
  if (!principalKinds.includes(kind)) throw new RealtimeItemCorruptError(item.pk?.S, 'principalKind');
  const sessionId = item.sessionId?.S;
  return {
    kind,
    id: stringOf(item, 'principalId'),
    roles: rolesOf(item, 'roles'),
    ...(sessionId === undefined ? {} : { sessionId }),
  };
};

const principalItem = (principal: ConnectionPrincipal): Item => ({
  principalKind: s(principal.kind),
  principalId: s(principal.id),
  roles: rolesValue(principal.roles),
  ...(principal.sessionId === undefined ? {} : { sessionId: s(principal.sessionId) }),
});

const grantOf = (item: Item): DatasourceTokenGrant => ({
  principal: principalOf(item),
  datasourceId: stringOf(item, 'datasourceId'),
  tokenId: stringOf(item, 'tokenId'),
  expiresAtMs: numberOf(item, 'expiresAtMs'),
});

const connectionOf = (item: Item): ConnectionRecord => {
  return {
    connectionId: stringOf(item, 'pk').slice('connection#'.length),
    principal: principalOf(item),
    datasourceId: stringOf(item, 'datasourceId'),
    clientIp: stringOf(item, 'clientIp'),
    connectedAtMs: numberOf(item, 'connectedAtMs'),
    channels: item.channels?.SS ?? [],
  };
};

const revocationSortKey = (entry: Pick<RevocationCursor, 'atMs' | 'kind' | 'id'>): string =>
  `${String(entry.atMs).padStart(15, '0')}#${entry.kind}#${entry.id}`;

const reasonCodes = (error: unknown): readonly (string | undefined)[] =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).map((reason) => reason.Code)
    : [];

/** A transaction's writes race only with revocations and other connects; a few retries settle them. */
const conflictRetryDelaysMs = [10, 40, 120] as const;

const isConflict = (error: unknown): boolean =>
  error instanceof TransactionConflictException || reasonCodes(error).includes('TransactionConflict');

/**
 * The realtime table (pk, sk), plus a ConditionCheck on the sessions table (a session's revocation marker)
 * and on the API-key table (the key is not revoked) inside the transaction that opens a connection. Every
 * read is strongly consistent; every failure other than a failed condition is DependencyUnavailableError.
 */
export const dynamoDbRealtimeStore = (
  client: DynamoDBClient,
  tables: { readonly realtime: string; readonly sessions?: string; readonly apiKeys?: string },
): RealtimeStore => {
  const table = tables.realtime;

  const send = async <T>(attempt: () => Promise<T>): Promise<T> => {
    try {
      return await attempt();
    } catch (error) {
      throw new DependencyUnavailableError('dynamodb', error);
    }
  };

  /** A transaction, retried on conflicts; a cancellation for a failed condition is returned, not thrown. */
  const transact = async (
    items: TransactWriteItem[],
  ): Promise<{ readonly cancelled: readonly (string | undefined)[] | undefined }> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return { cancelled: undefined };
      } catch (error) {
        const delay = conflictRetryDelaysMs[attempt];
        if (isConflict(error) && delay !== undefined) {
          await sleep(delay + Math.floor(Math.random() * delay));
          continue;
        }
        const codes = reasonCodes(error);
        if (codes.includes('ConditionalCheckFailed')) return { cancelled: codes };
        throw new DependencyUnavailableError('dynamodb', error);
      }
    }
  };

  const getItem = (pk: string, sk: string): Promise<Item | undefined> =>
    send(async () => {
      const output = await client.send(
        new GetItemCommand({ TableName: table, Key: key(pk, sk), ConsistentRead: true }),
      );
      return output.Item;
    });

  /** Every item of a partition (every page), strongly consistent. */
  const queryPartition = (pk: string, options: { readonly after?: string; readonly limit?: number } = {}) =>
    send(async () => {
      const items: Item[] = [];
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: table,
            ConsistentRead: true,
            KeyConditionExpression: options.after === undefined ? '#pk = :pk' : '#pk = :pk AND #sk > :after',
            ExpressionAttributeNames: {
              '#pk': 'pk',
              ...(options.after === undefined ? {} : { '#sk': 'sk' }),
            },
            ExpressionAttributeValues: {
              ':pk': s(pk),
              ...(options.after === undefined ? {} : { ':after': s(options.after) }),
            },
            ...(options.limit === undefined ? {} : { Limit: options.limit - items.length }),
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined && (options.limit === undefined || items.length < options.limit));
      return items;
    });

  const sortKeysOf = async (pk: string): Promise<string[]> =>
    (await queryPartition(pk)).map((item) => stringOf(item, 'sk'));

  const expiring = (expiresAtSeconds: number) => ({ expiresAt: n(expiresAtSeconds) });

  const sessionGuard = (sessionId: string): TransactWriteItem => {
    if (tables.sessions === undefined)
      throw new TypeError('the sessions table is required to guard a session');
    return {
      ConditionCheck: {
        TableName: tables.sessions,
        Key: { pk: s(sessionRevocationKey(sessionId)) },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      },
    };
  };

  /**
   * The key as its record is now: unrevoked, unexpired at `nowMs`, and, for a subscribe, holding one of
   * `anyOfRoles` (the datasource's read roles). The same test the REST chain's limiter makes, so a key an
   * admin changed, revoked or let expire is seen by the write it races with.
   */
  const apiKeyGuard = (
    keyId: string,
    nowMs: number,
    anyOfRoles: readonly string[] = [],
  ): TransactWriteItem => {
    if (tables.apiKeys === undefined) throw new TypeError('the API-key table is required to guard a key');
    const roleValues = Object.fromEntries(anyOfRoles.map((role, index) => [`:role${index}`, s(role)]));
    const holdsRole =
      anyOfRoles.length === 0
        ? ''
        : ` AND (${Object.keys(roleValues)
            .map((name) => `contains(#roles, ${name})`)
            .join(' OR ')})`;
    return {
      ConditionCheck: {
        TableName: tables.apiKeys,
        Key: { keyId: s(keyId) },
        ConditionExpression:
          'attribute_exists(#keyId) AND #revoked = :false AND ' +
          `(attribute_not_exists(#expiresAtMs) OR #expiresAtMs > :now)${holdsRole}`,
        ExpressionAttributeNames: {
          '#keyId': 'keyId',
          '#revoked': 'revoked',
          '#expiresAtMs': 'expiresAtMs',
          ...(anyOfRoles.length === 0 ? {} : { '#roles': 'roles' }),
        },
        ExpressionAttributeValues: { ':false': { BOOL: false }, ':now': n(nowMs), ...roleValues },
      },
    };
  };

  const removeConnection = async (connectionId: string): Promise<void> => {
    const item = await getItem(realtimeKeys.connection(connectionId), connectionSortKey);
    if (item === undefined) return;
    const connection = connectionOf(item);
    const deletes: TransactWriteItem[] = [
      { Delete: { TableName: table, Key: key(realtimeKeys.connection(connectionId), connectionSortKey) } },
      ...ownersOf(connection).map((owner) => ({
        Delete: { TableName: table, Key: key(realtimeKeys.owner(owner), connectionId) },
      })),
      ...connection.channels.map((channel) => ({
        Delete: { TableName: table, Key: key(realtimeKeys.channel(channel), connectionId) },
      })),
    ];
    await transact(deletes);
  };

  return {
    putDatasource: async ({ id, readRoles, writeRoles, nowMs }) => {
      const { Attributes } = await send(() =>
        client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: key(realtimeKeys.datasources, id),
            UpdateExpression:
              'SET #readRoles = :readRoles, #writeRoles = :writeRoles, #updatedAtMs = :now, ' +
              '#createdAtMs = if_not_exists(#createdAtMs, :now)',
            ExpressionAttributeNames: {
              '#readRoles': 'readRoles',
              '#writeRoles': 'writeRoles',
              '#updatedAtMs': 'updatedAtMs',
              '#createdAtMs': 'createdAtMs',
            },
            ExpressionAttributeValues: {
              ':readRoles': rolesValue(readRoles),
              ':writeRoles': rolesValue(writeRoles),
              ':now': n(nowMs),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return datasourceOf(Attributes ?? {});
    },

    getDatasource: async (id) => {
      const item = await getItem(realtimeKeys.datasources, id);
      return item === undefined ? undefined : datasourceOf(item);
    },

    listDatasources: async () => (await queryPartition(realtimeKeys.datasources)).map(datasourceOf),

    deleteDatasource: async (id) => {
      const { Attributes } = await send(() =>
        client.send(
          new DeleteItemCommand({
            TableName: table,
            Key: key(realtimeKeys.datasources, id),
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      return Attributes !== undefined;
    },

    createToken: async (tokenHash, grant) => {
      await send(() =>
        client.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              ...key(realtimeKeys.token(tokenHash), grantSortKey),
              ...principalItem(grant.principal),
              datasourceId: s(grant.datasourceId),
              tokenId: s(grant.tokenId),
              expiresAtMs: n(grant.expiresAtMs),
              ...expiring(Math.ceil(grant.expiresAtMs / 1000) + tokenItemMarginSeconds),
            },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'pk' },
          }),
        ),
      );
    },

    consumeToken: async (tokenHash, nowMs) => {
      try {
        const { Attributes } = await client.send(
          new DeleteItemCommand({
            TableName: table,
            Key: key(realtimeKeys.token(tokenHash), grantSortKey),
            // Expiry is part of the condition: TTL deletes "within days", so it never decides.
            ConditionExpression: 'attribute_exists(#pk) AND #expiresAtMs > :now',
            ExpressionAttributeNames: { '#pk': 'pk', '#expiresAtMs': 'expiresAtMs' },
            ExpressionAttributeValues: { ':now': n(nowMs) },
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        if (Attributes === undefined) return { outcome: 'unknown' };
        return { outcome: 'consumed', grant: grantOf(Attributes) };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          return { outcome: error.Item === undefined ? 'unknown' : 'expired' };
        }
        throw new DependencyUnavailableError('dynamodb', error);
      }
    },

    findToken: async (tokenHash) => {
      const item = await getItem(realtimeKeys.token(tokenHash), grantSortKey);
      return item === undefined ? undefined : grantOf(item);
    },

    openConnection: async ({ connection, expiresAtSeconds }) => {
      const { principal } = connection;
      const guard =
        principal.sessionId !== undefined
          ? sessionGuard(principal.sessionId)
          : principal.kind === 'api_key'
            ? apiKeyGuard(principal.id, connection.connectedAtMs)
            : undefined;
      const items: { readonly item: TransactWriteItem; readonly failure?: OpenConnectionResult }[] = [
        ...(guard === undefined ? [] : [{ item: guard, failure: 'revoked' as const }]),
        {
          item: {
            ConditionCheck: {
              TableName: table,
              Key: key(realtimeKeys.datasources, connection.datasourceId),
              ConditionExpression: 'attribute_exists(#pk)',
              ExpressionAttributeNames: { '#pk': 'pk' },
            },
          },
          failure: 'datasource_missing',
        },
        {
          item: {
            Put: {
              TableName: table,
              Item: {
                ...key(realtimeKeys.connection(connection.connectionId), connectionSortKey),
                ...principalItem(principal),
                datasourceId: s(connection.datasourceId),
                clientIp: s(connection.clientIp),
                connectedAtMs: n(connection.connectedAtMs),
                ...expiring(expiresAtSeconds),
              },
            },
          },
        },
        ...ownersOf(connection).map((owner) => ({
          item: {
            Put: {
              TableName: table,
              Item: {
                ...key(realtimeKeys.owner(owner), connection.connectionId),
                ...expiring(expiresAtSeconds),
              },
            },
          },
        })),
      ];
      const { cancelled } = await transact(items.map((entry) => entry.item));
      if (cancelled === undefined) return 'opened';
      const failed = items.find((_, index) => cancelled[index] === 'ConditionalCheckFailed');
      return failed?.failure ?? 'revoked';
    },

    getConnection: async (connectionId) => {
      const item = await getItem(realtimeKeys.connection(connectionId), connectionSortKey);
      return item === undefined ? undefined : connectionOf(item);
    },

    subscribe: async ({ connectionId, channel, maxSubscriptions, expiresAtSeconds, apiKeyHolds }) => {
      const connectionKey = key(realtimeKeys.connection(connectionId), connectionSortKey);
      const keyGuard =
        apiKeyHolds === undefined
          ? []
          : [apiKeyGuard(apiKeyHolds.keyId, apiKeyHolds.nowMs, apiKeyHolds.anyOfRoles)];
      const { cancelled } = await transact([
        {
          Update: {
            TableName: table,
            Key: connectionKey,
            UpdateExpression: 'ADD #channels :channel',
            ConditionExpression:
              'attribute_exists(#pk) AND NOT contains(#channels, :name) AND ' +
              '(attribute_not_exists(#channels) OR size(#channels) < :max)',
            ExpressionAttributeNames: { '#pk': 'pk', '#channels': 'channels' },
            ExpressionAttributeValues: {
              ':channel': { SS: [channel] },
              ':name': s(channel),
              ':max': n(maxSubscriptions),
            },
          },
        },
        {
          Put: {
            TableName: table,
            Item: { ...key(realtimeKeys.channel(channel), connectionId), ...expiring(expiresAtSeconds) },
          },
        },
        ...keyGuard,
      ]);
      if (cancelled === undefined) return 'subscribed';
      if (keyGuard.length > 0 && cancelled[2] === 'ConditionalCheckFailed') return 'role_missing';
      // Which condition failed: one consistent read tells gone, already subscribed and full apart.
      const current = await getItem(realtimeKeys.connection(connectionId), connectionSortKey);
      if (current === undefined) return 'connection_gone';
      const channels = current.channels?.SS ?? [];
      return channels.includes(channel) ? 'already_subscribed' : 'limit_reached';
    },

    unsubscribe: async ({ connectionId, channel }) => {
      const { cancelled } = await transact([
        {
          Update: {
            TableName: table,
            Key: key(realtimeKeys.connection(connectionId), connectionSortKey),
            UpdateExpression: 'DELETE #channels :channel',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'pk', '#channels': 'channels' },
            ExpressionAttributeValues: { ':channel': { SS: [channel] } },
          },
        },
        { Delete: { TableName: table, Key: key(realtimeKeys.channel(channel), connectionId) } },
      ]);
      if (cancelled !== undefined) {
        // The connection is gone: its channel item alone may be left.
        await send(() =>
          client.send(
            new DeleteItemCommand({
              TableName: table,
              Key: key(realtimeKeys.channel(channel), connectionId),
            }),
          ),
        );
      }
    },

    subscribers: (channel) => sortKeysOf(realtimeKeys.channel(channel)),

    connectionsOwnedBy: (owner) => sortKeysOf(realtimeKeys.owner(owner)),

    removeConnection,

    recordRevocations: async (entries: readonly RevocationEntry[], expiresAtSeconds) => {
      await send(() =>
        Promise.all(
          entries.map((entry) =>
            client.send(
              new PutItemCommand({
                TableName: table,
                Item: {
                  ...key(
                    realtimeKeys.revocations(Math.floor(entry.recordedAtMs / hourMs) * hourMs),
                    revocationSortKey({ atMs: entry.recordedAtMs, kind: entry.kind, id: entry.id }),
                  ),
                  kind: s(entry.kind),
                  id: s(entry.id),
                  revokedAtMs: n(entry.revokedAtMs),
                  recordedAtMs: n(entry.recordedAtMs),
                  ...expiring(expiresAtSeconds),
                },
              }),
            ),
          ),
        ),
      );
    },

    revocationsAfter: async ({ after, untilMs, limit }) => {
      const entries: RevocationEntry[] = [];
      const afterKey = revocationSortKey(after);
      for (
        let hour = Math.floor(after.atMs / hourMs) * hourMs;
        hour <= untilMs && entries.length < limit;
        hour += hourMs
      ) {
        const items = await queryPartition(realtimeKeys.revocations(hour), {
          after: afterKey,
          limit: limit - entries.length,
        });
        for (const item of items) {
          const kind = stringOf(item, 'kind');
          if (kind !== 'session' && kind !== 'api_key')
            throw new RealtimeItemCorruptError(item.pk?.S, 'kind');
          const recordedAtMs = numberOf(item, 'recordedAtMs');
          if (recordedAtMs > untilMs) return entries;
          entries.push({
            kind,
            id: stringOf(item, 'id'),
            revokedAtMs: numberOf(item, 'revokedAtMs'),
            recordedAtMs,
          });
        }
      }
      return entries;
    },
  };
};
