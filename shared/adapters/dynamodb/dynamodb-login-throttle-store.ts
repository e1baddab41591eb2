import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { LoginThrottleStore } from '../../domain/login-throttle/login-throttle-store.js';
import { RateLimitBackendError } from '../../domain/rate-limit/rate-limit-store.js';

const n = (value: number) => ({ N: String(value) });

/** Login failure streaks in the rate-limit table (keys prefixed `login#`). */
export const dynamoDbLoginThrottleStore = (client: DynamoDBClient, tableName: string): LoginThrottleStore => {
  const send = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error;
      throw new RateLimitBackendError(error);
    }
  };

  return {
    read: async (key) => {
      const output = await send(() =>
        client.send(
          new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
        ),
      );
      if (output.Item?.failures?.N === undefined) return undefined;
      return {
        failures: Number(output.Item.failures.N),
        blockedUntilMs: Number(output.Item.blockedUntilMs?.N ?? 0),
      };
    },

    recordFailure: async ({ key, nowMs, streakStartMs, expiresAtSeconds }) => {
      const names = { '#failures': 'failures', '#last': 'lastFailureMs', '#expiresAt': 'expiresAt' };
      try {
        // The common case: a streak is running, so count on from it.
        const output = await send(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: { S: key } },
              UpdateExpression: 'ADD #failures :one SET #last = :now, #expiresAt = :expiresAt',
              ConditionExpression: '#last > :streakStart',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':one': n(1),
                ':now': n(nowMs),
                ':streakStart': n(streakStartMs),
                ':expiresAt': n(expiresAtSeconds),
              },
              ReturnValues: 'UPDATED_NEW',
            }),
          ),
        );
        return Number(output.Attributes?.failures?.N ?? 1);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      // No streak, or an old one: start over. The condition keeps a racing continuation from being lost.
      try {
        await send(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: { S: key } },
              UpdateExpression:
                'SET #failures = :one, #last = :now, #expiresAt = :expiresAt REMOVE blockedUntilMs',
              ConditionExpression: 'attribute_not_exists(#last) OR #last <= :streakStart',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':one': n(1),
                ':now': n(nowMs),
                ':streakStart': n(streakStartMs),
                ':expiresAt': n(expiresAtSeconds),
              },
            }),
          ),
        );
        return 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      // Another failure started the streak in between: count on from it.
      const output = await send(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: key } },
            UpdateExpression: 'ADD #failures :one SET #last = :now, #expiresAt = :expiresAt',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':one': n(1), ':now': n(nowMs), ':expiresAt': n(expiresAtSeconds) },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return Number(output.Attributes?.failures?.N ?? 1);
    },

    blockUntil: async ({ key, untilMs, expiresAtSeconds }) => {
      try {
        await send(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: { S: key } },
              UpdateExpression: 'SET #blocked = :until, #expiresAt = :expiresAt',
              ConditionExpression: 'attribute_not_exists(#blocked) OR #blocked < :until',
              ExpressionAttributeNames: { '#blocked': 'blockedUntilMs', '#expiresAt': 'expiresAt' },
              ExpressionAttributeValues: { ':until': n(untilMs), ':expiresAt': n(expiresAtSeconds) },
            }),
          ),
        );
      } catch (error) {
        // A later block already stands; ours would only shorten it.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    clear: async (key) => {
      await send(() => client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: key } } })));
    },

    acquireAttempt: async ({ key, nowMs, untilMs, expiresAtSeconds }) => {
      try {
        await send(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: { S: key } },
              UpdateExpression: 'SET #slot = :until, #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
              ConditionExpression: 'attribute_not_exists(#slot) OR #slot <= :now',
              ExpressionAttributeNames: { '#slot': 'attemptSlotUntilMs', '#expiresAt': 'expiresAt' },
              ExpressionAttributeValues: {
                ':until': n(untilMs),
                ':now': n(nowMs),
                ':expiresAt': n(expiresAtSeconds),
              },
            }),
          ),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    releaseAttempt: async (key) => {
      await send(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: key } },
            UpdateExpression: 'REMOVE #slot',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#slot': 'attemptSlotUntilMs' },
          }),
        ),
      ).catch((error: unknown) => {
        // Already gone (a success deleted the streak): nothing to release.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
    },
  };
};
