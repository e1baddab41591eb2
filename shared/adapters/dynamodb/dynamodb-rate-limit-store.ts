import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { RateLimitBackendError, type RateLimitStore } from '../../domain/rate-limit/rate-limit-store.js';

const numberOf = (value: AttributeValue | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

const n = (value: number): AttributeValue => ({ N: String(value) });

/** The one conditional update a decision makes, alone or inside a transaction. */
interface UpdateInput {
  readonly Key: Record<string, AttributeValue>;
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, AttributeValue>;
}

interface WriteResult {
  readonly admitted: boolean;
  readonly item: Record<string, AttributeValue> | undefined;
  readonly guardFailed: boolean;
}

/**
 * Rate-limit state as one item per key (`pk`), decided by conditional UpdateItem. A failed condition
 * is a decision, returned with the stored item (ALL_OLD); every other failure is a backend error.
 * With revocation markers to check (`mustNotExist`, keys in `guardTableName`), the same update goes
 * into a TransactWriteItems with one ConditionCheck per marker: still one round trip.
 */
export const dynamoDbRateLimitStore = (
  client: DynamoDBClient,
  tableName: string,
  guardTableName?: string,
): RateLimitStore => {
  const anyGuardExists = async (keys: readonly string[]): Promise<boolean> => {
    if (keys.length === 0) return false;
    if (guardTableName === undefined) throw new TypeError('guard lookups need the guard table name');
    try {
      const found = await Promise.all(
        keys.map(async (guardKey) => {
          const { Item } = await client.send(
            new GetItemCommand({
              TableName: guardTableName,
              Key: { pk: { S: guardKey } },
              ConsistentRead: true,
              ProjectionExpression: 'pk',
            }),
          );
          return Item !== undefined;
        }),
      );
      return found.some((present) => present);
    } catch (error) {
      throw new RateLimitBackendError(error);
    }
  };

  /**
   * Concurrent transactions that touch one item cancel each other (TransactionConflict), and every
   * request of a session checks the same revocation marker. Rather than retrying into more conflicts,
   * a conflicted decision falls back to the plain conditional write and then a consistent read of the
   * markers: two calls instead of one, only for those requests, and always a decision. The read comes
   * after the write, so a logout that completed before the read is seen; reading first would let a
   * logout landing between the read and the write admit one request. The price is that a request
   * refused this way may have spent one unit of quota.
   */
  const untransacted = async (input: UpdateInput, mustNotExist: readonly string[]): Promise<WriteResult> => {
    const written = await update(input);
    if (await anyGuardExists(mustNotExist)) return { ...written, admitted: false, guardFailed: true };
    return written;
  };

  const transact = async (input: UpdateInput, mustNotExist: readonly string[]): Promise<WriteResult> => {
    if (guardTableName === undefined)
      throw new TypeError('guarded rate-limit writes need the guard table name');
    try {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: { ...input, TableName: tableName, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
            ...mustNotExist.map((guardKey) => ({
              ConditionCheck: {
                TableName: guardTableName,
                Key: { pk: { S: guardKey } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
          ],
        }),
      );
      return { admitted: true, item: undefined, guardFailed: false };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw new RateLimitBackendError(error);
      const reasons = error.CancellationReasons ?? [];
      if (reasons.slice(1).some((reason) => reason.Code === 'ConditionalCheckFailed')) {
        return { admitted: false, item: undefined, guardFailed: true };
      }
      if (reasons[0]?.Code === 'ConditionalCheckFailed') {
        return { admitted: false, item: reasons[0].Item, guardFailed: false };
      }
      if (reasons.some((reason) => reason.Code === 'TransactionConflict'))
        return untransacted(input, mustNotExist);
      // Throttling or a system error: no decision was made.
      throw new RateLimitBackendError(error);
    }
  };

  const update = async (input: UpdateInput, mustNotExist: readonly string[] = []): Promise<WriteResult> => {
    if (mustNotExist.length > 0) return transact(input, mustNotExist);
    try {
      const output = await client.send(
        new UpdateItemCommand({
          ...input,
          TableName: tableName,
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { admitted: true, item: output.Attributes, guardFailed: false };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { admitted: false, item: error.Item, guardFailed: false };
      }
      throw new RateLimitBackendError(error);
    }
  };

  return {
    anyGuardExists,

    consumeTokenBucket: async ({
      key,
      assume,
      nowMs,
      intervalMs,
      toleranceMs,
      expiresAtSeconds,
      mustNotExist,
    }) => {
      const names = { '#tat': 'tat', '#expiresAt': 'expiresAt' };
      const result =
        assume === 'idle'
          ? await update(
              {
                Key: { pk: { S: key } },
                UpdateExpression: 'SET #tat = :next, #expiresAt = :expiresAt',
                ConditionExpression: 'attribute_not_exists(#tat) OR #tat <= :now',
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: {
                  ':next': n(nowMs + intervalMs),
                  ':now': n(nowMs),
                  ':expiresAt': n(expiresAtSeconds),
                },
              },
              mustNotExist,
            )
          : await update(
              {
                Key: { pk: { S: key } },
                // Right for a missing item too (TAT := now + interval), so a cold guess of busy is
                // wrong only for an existing idle bucket.
                UpdateExpression: 'SET #tat = if_not_exists(#tat, :now) + :interval, #expiresAt = :expiresAt',
                ConditionExpression: 'attribute_not_exists(#tat) OR (#tat > :now AND #tat <= :latest)',
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: {
                  ':interval': n(intervalMs),
                  ':now': n(nowMs),
                  ':latest': n(nowMs + toleranceMs),
                  ':expiresAt': n(expiresAtSeconds),
                },
              },
              mustNotExist,
            );
      return {
        admitted: result.admitted,
        value: numberOf(result.item?.tat),
        guardFailed: result.guardFailed,
      };
    },

    consumeFixedWindow: async ({ key, limit, take = 1, expiresAtSeconds, mustNotExist }) => {
      if (!Number.isInteger(take) || take < 1 || take > limit)
        throw new TypeError('take must be a whole number from 1 to the limit');
      const result = await update(
        {
          Key: { pk: { S: key } },
          UpdateExpression: 'ADD #count :take SET #expiresAt = :expiresAt',
          // count + take <= limit, with the arithmetic on our side: conditions cannot add.
          ConditionExpression: 'attribute_not_exists(#count) OR #count <= :most',
          ExpressionAttributeNames: { '#count': 'count', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: {
            ':take': n(take),
            ':most': n(limit - take),
            ':expiresAt': n(expiresAtSeconds),
          },
        },
        mustNotExist,
      );
      return {
        admitted: result.admitted,
        value: numberOf(result.item?.count),
        guardFailed: result.guardFailed,
      };
    },
  };
};
