import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { RateLimitBackendError, type RateLimitStore } from '../../domain/rate-limit/rate-limit-store.js';

const numberOf = (value: AttributeValue | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

const n = (value: number): AttributeValue => ({ N: String(value) });

/**
 * Rate-limit state as one item per key (`pk`), decided by conditional UpdateItem. A failed condition
 * is a decision, returned with the stored item (ALL_OLD); every other failure is a backend error.
 */
export const dynamoDbRateLimitStore = (client: DynamoDBClient, tableName: string): RateLimitStore => {
  const update = async (
    input: Omit<
      UpdateItemCommand['input'],
      'TableName' | 'ReturnValues' | 'ReturnValuesOnConditionCheckFailure'
    >,
  ): Promise<{ admitted: boolean; item: Record<string, AttributeValue> | undefined }> => {
    try {
      const output = await client.send(
        new UpdateItemCommand({
          ...input,
          TableName: tableName,
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { admitted: true, item: output.Attributes };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { admitted: false, item: error.Item };
      throw new RateLimitBackendError(error);
    }
  };

  return {
    consumeTokenBucket: async ({ key, assume, nowMs, intervalMs, toleranceMs, expiresAtSeconds }) => {
      const names = { '#tat': 'tat', '#expiresAt': 'expiresAt' };
      const result =
        assume === 'idle'
          ? await update({
              Key: { pk: { S: key } },
              UpdateExpression: 'SET #tat = :next, #expiresAt = :expiresAt',
              ConditionExpression: 'attribute_not_exists(#tat) OR #tat <= :now',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':next': n(nowMs + intervalMs),
                ':now': n(nowMs),
                ':expiresAt': n(expiresAtSeconds),
              },
            })
          : await update({
              Key: { pk: { S: key } },
              UpdateExpression: 'SET #tat = #tat + :interval, #expiresAt = :expiresAt',
              ConditionExpression: '#tat > :now AND #tat <= :latest',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':interval': n(intervalMs),
                ':now': n(nowMs),
                ':latest': n(nowMs + toleranceMs),
                ':expiresAt': n(expiresAtSeconds),
              },
            });
      return { admitted: result.admitted, tatMs: numberOf(result.item?.tat) };
    },

    consumeFixedWindow: async ({ key, limit, expiresAtSeconds }) => {
      const result = await update({
        Key: { pk: { S: key } },
        UpdateExpression: 'ADD #count :one SET #expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
        ExpressionAttributeNames: { '#count': 'count', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':one': n(1), ':limit': n(limit), ':expiresAt': n(expiresAtSeconds) },
      });
      return {
        admitted: result.admitted,
        count: numberOf(result.item?.count) ?? (result.admitted ? 1 : limit),
      };
    },
  };
};
