import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ApiKeyMetadata, ApiKeyRateLimit, ApiKeyRecord } from '../../domain/api-keys/api-key.js';
import { ApiKeyIdTakenError, ApiKeyNotFoundError } from '../../domain/api-keys/api-key-errors.js';
import type {
  ApiKeyChanges,
  ApiKeyRotation,
  ApiKeyRotationStore,
  ApiKeyStore,
} from '../../domain/api-keys/api-key-store.js';
import { roles as knownRoles, type Role } from '../../domain/users/user.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';

/** A stored item this adapter cannot read back: a bug or a hand edit, never a client's doing (500). */
export class ApiKeyRecordCorruptError extends Error {
  readonly code = 'ERR_API_KEY_RECORD_CORRUPT';

  constructor(keyId: string | undefined, attribute: string) {
    super(`API key record ${keyId ?? '(no id)'} has an invalid ${attribute}`);
    this.name = 'ApiKeyRecordCorruptError';
  }
}

type Item = Record<string, AttributeValue>;

const n = (value: number): AttributeValue => ({ N: String(value) });

const rateLimitValue = (rateLimit: ApiKeyRateLimit): AttributeValue =>
  rateLimit === 'unlimited'
    ? { S: 'unlimited' }
    : { M: { burst: n(rateLimit.burst), perSeconds: n(rateLimit.perSeconds) } };

const rolesValue = (roles: readonly Role[]): AttributeValue => ({ L: roles.map((role) => ({ S: role })) });

/** Every attribute but `secretHash`: listing never reads a hash it does not need. */
const metadataAttributes = [
  'keyId',
  'name',
  'roles',
  'rateLimit',
  'expiresAtMs',
  'revoked',
  'previousSecretExpiresAtMs',
  'createdAtMs',
  'updatedAtMs',
  'version',
] as const;

const metadataOf = (item: Item): ApiKeyMetadata => {
  const keyId = item.keyId?.S;
  const fail = (attribute: string): never => {
    throw new ApiKeyRecordCorruptError(keyId, attribute);
  };
  const integer = (value: AttributeValue | undefined, attribute: string): number => {
    const parsed = Number(value?.N ?? Number.NaN);
    return Number.isSafeInteger(parsed) ? parsed : fail(attribute);
  };
  const number = (attribute: string): number => integer(item[attribute], attribute);
  const roles = (item.roles?.L ?? fail('roles')).map((entry) =>
    knownRoles.includes(entry.S as Role) ? (entry.S as Role) : fail('roles'),
  );
  const stored = item.rateLimit;
  const rateLimit: ApiKeyRateLimit | undefined =
    stored === undefined
      ? undefined
      : stored.S === 'unlimited'
        ? 'unlimited'
        : stored.M === undefined
          ? fail('rateLimit')
          : {
              burst: integer(stored.M.burst, 'rateLimit'),
              perSeconds: integer(stored.M.perSeconds, 'rateLimit'),
            };
  return {
    keyId: keyId ?? fail('keyId'),
    name: item.name?.S ?? fail('name'),
    roles,
    rateLimit,
    expiresAtMs: item.expiresAtMs === undefined ? undefined : number('expiresAtMs'),
    revoked: item.revoked?.BOOL ?? fail('revoked'),
    ...(item.previousSecretExpiresAtMs === undefined
      ? {}
      : { previousSecretExpiresAtMs: number('previousSecretExpiresAtMs') }),
    createdAtMs: number('createdAtMs'),
    updatedAtMs: number('updatedAtMs'),
    version: number('version'),
  };
};

const recordOf = (item: Item): ApiKeyRecord => {
  const metadata = metadataOf(item);
  const secretHash = item.secretHash?.S;
  if (secretHash === undefined) throw new ApiKeyRecordCorruptError(metadata.keyId, 'secretHash');
  const previousSecretHash = item.previousSecretHash?.S;
  return { ...metadata, secretHash, ...(previousSecretHash === undefined ? {} : { previousSecretHash }) };
};

const send = async <T>(operation: () => Promise<T>): Promise<T> => {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw error;
    throw new DependencyUnavailableError('dynamodb', error);
  }
};

/** A failed "exists and not revoked" condition: no item is missing, an item is revoked. */
const notChangeable = (error: ConditionalCheckFailedException): ApiKeyNotFoundError =>
  new ApiKeyNotFoundError(error.Item === undefined ? 'missing' : 'revoked');

/**
 * API key records keyed by `keyId`. Reads are strongly consistent; every change is one conditional
 * write whose failure returns the stored item (ALL_OLD), so "missing" and "revoked" are told apart
 * without a second read.
 */
export const dynamoDbApiKeyStore = (client: DynamoDBClient, tableName: string): ApiKeyStore => {
  return {
    create: async (record) => {
      try {
        await send(() =>
          client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                keyId: { S: record.keyId },
                name: { S: record.name },
                roles: rolesValue(record.roles),
                ...(record.rateLimit === undefined ? {} : { rateLimit: rateLimitValue(record.rateLimit) }),
                ...(record.expiresAtMs === undefined ? {} : { expiresAtMs: n(record.expiresAtMs) }),
                revoked: { BOOL: record.revoked },
                secretHash: { S: record.secretHash },
                createdAtMs: n(record.createdAtMs),
                updatedAtMs: n(record.updatedAtMs),
                version: n(record.version),
              },
              ConditionExpression: 'attribute_not_exists(#keyId)',
              ExpressionAttributeNames: { '#keyId': 'keyId' },
            }),
          ),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new ApiKeyIdTakenError();
        throw error;
      }
    },

    get: async (keyId) => {
      const { Item } = await send(() =>
        client.send(
          new GetItemCommand({ TableName: tableName, Key: { keyId: { S: keyId } }, ConsistentRead: true }),
        ),
      );
      return Item === undefined ? undefined : recordOf(Item);
    },

    list: async () => {
      const names = Object.fromEntries(metadataAttributes.map((name) => [`#${name}`, name]));
      const keys: ApiKeyMetadata[] = [];
      let startKey: Item | undefined;
      do {
        const page = await send(() =>
          client.send(
            new ScanCommand({
              TableName: tableName,
              ConsistentRead: true,
              ProjectionExpression: Object.keys(names).join(', '),
              ExpressionAttributeNames: names,
              ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
            }),
          ),
        );
        for (const item of page.Items ?? []) keys.push(metadataOf(item));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return keys;
    },

    update: async (keyId, changes: ApiKeyChanges) => {
      const names: Record<string, string> = {
        '#keyId': 'keyId',
        '#revoked': 'revoked',
        '#updatedAtMs': 'updatedAtMs',
        '#version': 'version',
      };
      const values: Item = { ':false': { BOOL: false }, ':now': n(changes.updatedAtMs), ':one': n(1) };
      const set = ['#updatedAtMs = :now'];
      const remove: string[] = [];
      if (changes.roles !== undefined) {
        names['#roles'] = 'roles';
        values[':roles'] = rolesValue(changes.roles);
        set.push('#roles = :roles');
      }
      if (changes.rateLimit !== undefined) {
        names['#rateLimit'] = 'rateLimit';
        if (changes.rateLimit === null) remove.push('#rateLimit');
        else {
          values[':rateLimit'] = rateLimitValue(changes.rateLimit);
          set.push('#rateLimit = :rateLimit');
        }
      }
      try {
        const { Attributes } = await send(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { keyId: { S: keyId } },
              UpdateExpression: [
                `SET ${set.join(', ')}`,
                remove.length === 0 ? '' : `REMOVE ${remove.join(', ')}`,
                'ADD #version :one',
              ]
                .filter((clause) => clause !== '')
                .join(' '),
              ConditionExpression: 'attribute_exists(#keyId) AND #revoked = :false',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          ),
        );
        return metadataOf(Attributes ?? {});
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw notChangeable(error);
        throw error;
      }
    },

    revoke: async (keyId, updatedAtMs) => {
      try {
        const { Attributes } = await send(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { keyId: { S: keyId } },
              UpdateExpression: 'SET #revoked = :true, #updatedAtMs = :now ADD #version :one',
              ConditionExpression: 'attribute_exists(#keyId) AND #revoked = :false',
              ExpressionAttributeNames: {
                '#keyId': 'keyId',
                '#revoked': 'revoked',
                '#updatedAtMs': 'updatedAtMs',
                '#version': 'version',
              },
              ExpressionAttributeValues: {
                ':true': { BOOL: true },
                ':false': { BOOL: false },
                ':now': n(updatedAtMs),
                ':one': n(1),
              },
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          ),
        );
        return metadataOf(Attributes ?? {});
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Already revoked: the same answer again, without a write (idempotent, version unchanged).
        if (error.Item !== undefined) return metadataOf(error.Item);
        throw new ApiKeyNotFoundError('missing');
      }
    },
  };
};

/** A key's secret rotation on the same table (ApiKeyRotationStore): only the rotation route bundles it. */
export const dynamoDbApiKeyRotationStore = (
  client: DynamoDBClient,
  tableName: string,
): ApiKeyRotationStore => ({
  rotate: async (keyId, rotation: ApiKeyRotation) => {
    const overlap = rotation.previousSecretExpiresAtMs;
    // Operands read the item as it was before the update, so `#previous = #hash` keeps the old hash.
    const set = ['#hash = :hash', '#updatedAtMs = :now'];
    if (overlap !== undefined) set.push('#previous = #hash', '#previousExpires = :previousExpires');
    try {
      const { Attributes } = await send(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { keyId: { S: keyId } },
            UpdateExpression: [
              `SET ${set.join(', ')}`,
              overlap === undefined ? 'REMOVE #previous, #previousExpires' : '',
              'ADD #version :one',
            ]
              .filter((clause) => clause !== '')
              .join(' '),
            ConditionExpression: 'attribute_exists(#keyId) AND #revoked = :false',
            ExpressionAttributeNames: {
              '#keyId': 'keyId',
              '#revoked': 'revoked',
              '#hash': 'secretHash',
              '#previous': 'previousSecretHash',
              '#previousExpires': 'previousSecretExpiresAtMs',
              '#updatedAtMs': 'updatedAtMs',
              '#version': 'version',
            },
            ExpressionAttributeValues: {
              ':false': { BOOL: false },
              ':hash': { S: rotation.secretHash },
              ':now': n(rotation.updatedAtMs),
              ':one': n(1),
              ...(overlap === undefined ? {} : { ':previousExpires': n(overlap) }),
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return metadataOf(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw notChangeable(error);
      throw error;
    }
  },
});
