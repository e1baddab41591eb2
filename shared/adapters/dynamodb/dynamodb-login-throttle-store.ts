import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { LoginThrottleStore } from '../../domain/login-throttle/login-throttle-store.js';
import { RateLimitBackendError } from '../../domain/rate-limit/rate-limit-store.js';

const n = (value: number) => ({ N: String(value) });

/** Login failure streaks in the rate-limit table (keys prefixed `login#`). */
export const dynamoDbLoginThrottleStore = (client: DynamoDBClient, tableName: string): LoginThrottleStore => {
  /**
   * One UpdateItem on `key`. `applied: false` when its condition failed (a decision, not an error);
   * every other failure is a backend error, which login answers with 503.
   */
  const update = async (
    key: string,
    input: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>,
  ): Promise<{ applied: boolean; failures: number | undefined }> => {
    try {
      const output = await client.send(
        new UpdateItemCommand({ ...input, TableName: tableName, Key: { pk: { S: key } } }),
      );
      const failures = output.Attributes?.failures?.N;
      return { applied: true, failures: failures === undefined ? undefined : Number(failures) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { applied: false, failures: undefined };
      throw new RateLimitBackendError(error);
    }
  };

  return {
    read: async (key) => {
      let item: Record<string, AttributeValue> | undefined;
      try {
        const output = await client.send(
          new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
        );
        item = output.Item;
      } catch (error) {
        throw new RateLimitBackendError(error);
      }
      if (item?.failures?.N === undefined) return undefined;
      return { failures: Number(item.failures.N), blockedUntilMs: Number(item.blockedUntilMs?.N ?? 0) };
    },

    recordFailure: async ({ key, nowMs, streakStartMs, expiresAtSeconds }) => {
      const names = { '#failures': 'failures', '#last': 'lastFailureMs', '#expiresAt': 'expiresAt' };
      const count = { ':one': n(1), ':now': n(nowMs), ':expiresAt': n(expiresAtSeconds) };
      const countOn = 'ADD #failures :one SET #last = :now, #expiresAt = :expiresAt';
      // The common case: a streak is running, so count on from it.
      const continued = await update(key, {
        UpdateExpression: countOn,
        ConditionExpression: '#last > :streakStart',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...count, ':streakStart': n(streakStartMs) },
        ReturnValues: 'UPDATED_NEW',
      });
      if (continued.applied) return continued.failures ?? 1;
      // No streak, or an old one: start over. The condition keeps a racing continuation from being lost.
      const restarted = await update(key, {
        UpdateExpression: 'SET #failures = :one, #last = :now, #expiresAt = :expiresAt REMOVE blockedUntilMs',
        ConditionExpression: 'attribute_not_exists(#last) OR #last <= :streakStart',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...count, ':streakStart': n(streakStartMs) },
      });
      if (restarted.applied) return 1;
      // Another failure started the streak in between: count on from it.
      const after = await update(key, {
        UpdateExpression: countOn,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: count,
        ReturnValues: 'UPDATED_NEW',
      });
      return after.failures ?? 1;
    },

    // A failed condition means a later block already stands; ours would only shorten it.
    blockUntil: async ({ key, untilMs, expiresAtSeconds }) => {
      await update(key, {
        UpdateExpression: 'SET #blocked = :until, #expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(#blocked) OR #blocked < :until',
        ExpressionAttributeNames: { '#blocked': 'blockedUntilMs', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':until': n(untilMs), ':expiresAt': n(expiresAtSeconds) },
      });
    },

    clear: async (key) => {
      try {
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: key } } }));
      } catch (error) {
        throw new RateLimitBackendError(error);
      }
    },

    acquireAttempt: async ({ key, nowMs, untilMs, expiresAtSeconds }) =>
      (
        await update(key, {
          UpdateExpression: 'SET #slot = :until, #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
          ConditionExpression: 'attribute_not_exists(#slot) OR #slot <= :now',
          ExpressionAttributeNames: { '#slot': 'attemptSlotUntilMs', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: {
            ':until': n(untilMs),
            ':now': n(nowMs),
            ':expiresAt': n(expiresAtSeconds),
          },
        })
      ).applied,

    // A failed condition means a success already deleted the streak: nothing to release.
    releaseAttempt: async (key) => {
      await update(key, {
        UpdateExpression: 'REMOVE #slot',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#slot': 'attemptSlotUntilMs' },
      });
    },
  };
};
