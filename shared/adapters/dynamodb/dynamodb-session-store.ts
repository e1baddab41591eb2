import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { sessionRevocationKey } from '../../domain/sessions/session-revocation-key.js';
import type { SessionFamily, SessionStore } from '../../domain/sessions/session-store.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';

const familyKey = (familyId: string): string => `family#${familyId}`;
const sessionKey = (sessionId: string): string => `session#${sessionId}`;

/**
 * A write on an item that a transaction is changing fails with a conflict instead of waiting; the only
 * transactions on existing items here are revocations, which settle in milliseconds. The SDK does not
 * retry conflicts, so the adapter does, a few times.
 */
const conflictRetryDelaysMs = [10, 40, 120] as const;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

const stringOf = (value: AttributeValue | undefined): string | undefined => value?.S;
const numberOf = (value: AttributeValue | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

class SessionItemMalformedError extends Error {
  constructor(pk: string | undefined) {
    super(`session item ${pk ?? '(no pk)'} does not have the expected attributes`);
    this.name = 'SessionItemMalformedError';
  }
}

const familyOf = (item: Record<string, AttributeValue> | undefined): SessionFamily | undefined => {
  if (item === undefined || Object.keys(item).length === 0) return undefined;
  const pk = stringOf(item.pk);
  const sessionId = stringOf(item.sessionId);
  const userId = stringOf(item.userId);
  const username = stringOf(item.username);
  const currentHash = stringOf(item.currentHash);
  const generation = numberOf(item.generation);
  const absoluteExpiresAtMs = numberOf(item.absoluteExpiresAtMs);
  const roles = item.roles?.L?.map((role) => role.S);
  const revoked = item.revoked?.BOOL;
  if (
    pk === undefined ||
    !pk.startsWith('family#') ||
    sessionId === undefined ||
    userId === undefined ||
    username === undefined ||
    currentHash === undefined ||
    generation === undefined ||
    absoluteExpiresAtMs === undefined ||
    roles === undefined ||
    roles.some((role) => role === undefined) ||
    revoked === undefined
  ) {
    throw new SessionItemMalformedError(pk);
  }
  return {
    familyId: pk.slice('family#'.length),
    sessionId,
    userId,
    username,
    roles: roles as string[],
    currentHash,
    previousHash: stringOf(item.previousHash),
    rotatedAtMs: numberOf(item.rotatedAtMs),
    generation,
    absoluteExpiresAtMs,
    revoked,
  };
};

const isCancelledBy = (error: unknown, code: string): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((reason) => reason.Code === code);

/**
 * Refresh sessions in one table keyed by `pk`: `family#<familyId>`, `session#<sessionId>` (pointer to the
 * family) and `revoked#<sessionId>` (revocation marker), each with an `expiresAt` TTL that only cleans up.
 * Failed conditions are answers; every other failure is DependencyUnavailableError (503).
 */
export const dynamoDbSessionStore = (client: DynamoDBClient, tableName: string): SessionStore => {
  const send = async <T>(attempt: () => Promise<T>): Promise<T> => {
    try {
      return await attempt();
    } catch (error) {
      throw new DependencyUnavailableError('dynamodb', error);
    }
  };

  /** Runs `attempt`, retrying the conflicts a concurrent revocation can cause; other errors propagate. */
  const withConflictRetries = async <T>(attempt: () => Promise<T>): Promise<T> => {
    for (const delayMs of conflictRetryDelaysMs) {
      try {
        return await attempt();
      } catch (error) {
        const conflict =
          error instanceof TransactionConflictException || isCancelledBy(error, 'TransactionConflict');
        if (!conflict) throw error;
        await sleep(delayMs + Math.floor(Math.random() * delayMs));
      }
    }
    return attempt();
  };

  const getItem = (pk: string, projection?: string): Promise<Record<string, AttributeValue> | undefined> =>
    send(async () => {
      const output = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: s(pk) },
          ConsistentRead: true,
          ...(projection === undefined
            ? {}
            : { ProjectionExpression: '#p', ExpressionAttributeNames: { '#p': projection } }),
        }),
      );
      return output.Item;
    });

  return {
    create: async ({ family, expiresAtSeconds }) => {
      try {
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: s(familyKey(family.familyId)),
                    sessionId: s(family.sessionId),
                    userId: s(family.userId),
                    username: s(family.username),
                    roles: { L: family.roles.map(s) },
                    currentHash: s(family.currentHash),
                    generation: n(0),
                    absoluteExpiresAtMs: n(family.absoluteExpiresAtMs),
                    revoked: { BOOL: false },
                    expiresAt: n(expiresAtSeconds),
                  },
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': 'pk' },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: s(sessionKey(family.sessionId)),
                    familyId: s(family.familyId),
                    expiresAt: n(expiresAtSeconds),
                  },
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': 'pk' },
                },
              },
            ],
          }),
        );
        return 'created';
      } catch (error) {
        if (isCancelledBy(error, 'ConditionalCheckFailed')) return 'collision';
        throw new DependencyUnavailableError('dynamodb', error);
      }
    },

    rotate: async ({ familyId, presentedHash, nextHash, nowMs }) => {
      try {
        const output = await withConflictRetries(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: s(familyKey(familyId)) },
              UpdateExpression:
                'SET #previousHash = :presented, #currentHash = :next, #rotatedAtMs = :now ADD #generation :one',
              ConditionExpression:
                '#currentHash = :presented AND #revoked = :false AND #absoluteExpiresAtMs > :now',
              ExpressionAttributeNames: {
                '#previousHash': 'previousHash',
                '#currentHash': 'currentHash',
                '#rotatedAtMs': 'rotatedAtMs',
                '#generation': 'generation',
                '#revoked': 'revoked',
                '#absoluteExpiresAtMs': 'absoluteExpiresAtMs',
              },
              ExpressionAttributeValues: {
                ':presented': s(presentedHash),
                ':next': s(nextHash),
                ':now': n(nowMs),
                ':one': n(1),
                ':false': { BOOL: false },
              },
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          ),
        );
        const family = familyOf(output.Attributes);
        if (family === undefined) throw new SessionItemMalformedError(familyKey(familyId));
        return { rotated: true, family };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          return { rotated: false, family: familyOf(error.Item) };
        }
        if (error instanceof SessionItemMalformedError) throw error;
        throw new DependencyUnavailableError('dynamodb', error);
      }
    },

    findFamily: async (familyId) => familyOf(await getItem(familyKey(familyId))),

    findFamilyIdOfSession: async (sessionId) =>
      stringOf((await getItem(sessionKey(sessionId), 'familyId'))?.familyId),

    revoke: async ({ familyId, sessionId, reason, revokedAtMs, markerExpiresAtSeconds }) => {
      try {
        await withConflictRetries(() =>
          client.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: tableName,
                    Key: { pk: s(familyKey(familyId)) },
                    UpdateExpression:
                      'SET #revoked = :true, #revokedReason = if_not_exists(#revokedReason, :reason), ' +
                      '#revokedAtMs = if_not_exists(#revokedAtMs, :now)',
                    ConditionExpression: 'attribute_exists(#pk) AND #sessionId = :sessionId',
                    ExpressionAttributeNames: {
                      '#pk': 'pk',
                      '#sessionId': 'sessionId',
                      '#revoked': 'revoked',
                      '#revokedReason': 'revokedReason',
                      '#revokedAtMs': 'revokedAtMs',
                    },
                    ExpressionAttributeValues: {
                      ':true': { BOOL: true },
                      ':reason': s(reason),
                      ':now': n(revokedAtMs),
                      ':sessionId': s(sessionId),
                    },
                  },
                },
                {
                  // An upsert that keeps the first revocation's reason, time and expiry.
                  Update: {
                    TableName: tableName,
                    Key: { pk: s(sessionRevocationKey(sessionId)) },
                    UpdateExpression:
                      'SET #reason = if_not_exists(#reason, :reason), ' +
                      '#revokedAtMs = if_not_exists(#revokedAtMs, :now), ' +
                      '#expiresAt = if_not_exists(#expiresAt, :expiresAt)',
                    ExpressionAttributeNames: {
                      '#reason': 'reason',
                      '#revokedAtMs': 'revokedAtMs',
                      '#expiresAt': 'expiresAt',
                    },
                    ExpressionAttributeValues: {
                      ':reason': s(reason),
                      ':now': n(revokedAtMs),
                      ':expiresAt': n(markerExpiresAtSeconds),
                    },
                  },
                },
              ],
            }),
          ),
        );
        return 'revoked';
      } catch (error) {
        if (isCancelledBy(error, 'ConditionalCheckFailed')) return 'unknown';
        throw new DependencyUnavailableError('dynamodb', error);
      }
    },

    isRevoked: async (sessionId) => (await getItem(sessionRevocationKey(sessionId), 'pk')) !== undefined,
  };
};
