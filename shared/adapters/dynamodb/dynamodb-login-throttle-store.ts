import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type {
  ConditionalStreakWrite,
  LoginFailureState,
  LoginThrottleStore,
} from '../../domain/login-throttle/login-throttle-store.js';
import { RateLimitBackendError } from '../../domain/rate-limit/rate-limit-store.js';

const n = (value: number) => ({ N: String(value) });

const stateOf = (item: Record<string, AttributeValue> | undefined): LoginFailureState | undefined => {
  if (item?.failures?.N === undefined) return undefined;
  return {
    failures: Number(item.failures.N),
    blockedUntilMs: Number(item.blockedUntilMs?.N ?? 0),
    lastFailureMs: Number(item.lastFailureMs?.N ?? 0),
  };
};

/** The attribute names every streak write uses. */
const streakNames = {
  '#failures': 'failures',
  '#last': 'lastFailureMs',
  '#blocked': 'blockedUntilMs',
  '#expiresAt': 'expiresAt',
};

/** Login failure streaks and attempt slots in the rate-limit table (keys prefixed `login#`). */
export const dynamoDbLoginThrottleStore = (client: DynamoDBClient, tableName: string): LoginThrottleStore => {
  /**
   * One UpdateItem on `key`. `applied: false` when its condition failed (a decision, not an error), with
   * the item that failed it; every other failure is a backend error, which login answers with 503.
   */
  const update = async (
    key: string,
    input: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>,
  ): Promise<{ applied: boolean; item: Record<string, AttributeValue> | undefined }> => {
    try {
      const output = await client.send(
        new UpdateItemCommand({
          ...input,
          TableName: tableName,
          Key: { pk: { S: key } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { applied: true, item: output.Attributes };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { applied: false, item: error.Item };
      throw new RateLimitBackendError(error);
    }
  };

  /** A streak write whose outcome the domain decides on: the state after it, or the state that refused it. */
  const streakWrite = async (
    key: string,
    input: Omit<UpdateItemCommandInput, 'TableName' | 'Key' | 'ReturnValues'>,
  ): Promise<ConditionalStreakWrite> => {
    const result = await update(key, { ...input, ReturnValues: 'ALL_NEW' });
    const state = stateOf(result.item);
    if (result.applied && state !== undefined) return { applied: true, state };
    return { applied: false, state };
  };

  const read = async (key: string): Promise<LoginFailureState | undefined> => {
    try {
      const output = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
      );
      return stateOf(output.Item);
    } catch (error) {
      throw new RateLimitBackendError(error);
    }
  };

  return {
    read,

    /**
     * TransactGetItems: one round trip, strongly consistent, one snapshot, authorised as a GetItem per
     * item (no further IAM action). It costs 2 read units per item instead of 1 (see the README's cost
     * table). It is cancelled only by a concurrent transactional write to one of the items, which
     * Bulwark never makes on login# keys; if it ever is, the keys are read one by one instead.
     */
    readAll: async (keys) => {
      if (keys.length === 0) return [];
      try {
        const output = await client.send(
          new TransactGetItemsCommand({
            TransactItems: keys.map((key) => ({ Get: { TableName: tableName, Key: { pk: { S: key } } } })),
          }),
        );
        return keys.map((_, index) => stateOf(output.Responses?.[index]?.Item));
      } catch (error) {
        if (error instanceof TransactionCanceledException) return Promise.all(keys.map(read));
        throw new RateLimitBackendError(error);
      }
    },

    recordFailure: async ({ key, nowMs, streakStartMs, expiresAtSeconds, streakRunning = true }) => {
      const names = { '#failures': 'failures', '#last': 'lastFailureMs', '#expiresAt': 'expiresAt' };
      const count = { ':one': n(1), ':now': n(nowMs), ':expiresAt': n(expiresAtSeconds) };
      const countOn = 'ADD #failures :one SET #last = :now, #expiresAt = :expiresAt';
      const failuresOf = (item: Record<string, AttributeValue> | undefined) =>
        item?.failures?.N === undefined ? 1 : Number(item.failures.N);
      // A running streak: count on from it.
      const continueStreak = () =>
        update(key, {
          UpdateExpression: countOn,
          ConditionExpression: '#last > :streakStart',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...count, ':streakStart': n(streakStartMs) },
          ReturnValues: 'UPDATED_NEW',
        });
      // No streak, or an old one: start over. The condition keeps a racing continuation from being lost.
      const restartStreak = () =>
        update(key, {
          UpdateExpression:
            'SET #failures = :one, #last = :now, #expiresAt = :expiresAt REMOVE blockedUntilMs',
          ConditionExpression: 'attribute_not_exists(#last) OR #last <= :streakStart',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...count, ':streakStart': n(streakStartMs) },
        });
      // The caller's hint (what it read before the password check) picks the write tried first; a
      // wrong hint costs one more write, never a lost count.
      if (streakRunning) {
        const continued = await continueStreak();
        if (continued.applied) return failuresOf(continued.item);
        if ((await restartStreak()).applied) return 1;
      } else {
        if ((await restartStreak()).applied) return 1;
        const continued = await continueStreak();
        if (continued.applied) return failuresOf(continued.item);
      }
      // The streak changed between the two writes (started, or cleared by a success): count on from it.
      const after = await update(key, {
        UpdateExpression: countOn,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: count,
        ReturnValues: 'UPDATED_NEW',
      });
      return failuresOf(after.item);
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

    // `#last > :streakStart` is false for a missing attribute, so no item or an old streak fails it.
    countFreeAttempt: ({ key, nowMs, streakStartMs, freeAttempts, expiresAtSeconds }) =>
      streakWrite(key, {
        UpdateExpression: 'ADD #failures :one SET #last = :now, #expiresAt = :expiresAt',
        ConditionExpression: '#last > :streakStart AND #failures < :free',
        ExpressionAttributeNames: {
          '#failures': 'failures',
          '#last': 'lastFailureMs',
          '#expiresAt': 'expiresAt',
        },
        ExpressionAttributeValues: {
          ':one': n(1),
          ':now': n(nowMs),
          ':streakStart': n(streakStartMs),
          ':free': n(freeAttempts),
          ':expiresAt': n(expiresAtSeconds),
        },
      }),

    restartStreak: ({ key, nowMs, streakStartMs, expiresAtSeconds }) =>
      streakWrite(key, {
        UpdateExpression: 'SET #failures = :one, #last = :now, #expiresAt = :expiresAt REMOVE #blocked',
        ConditionExpression: 'attribute_not_exists(#last) OR #last <= :streakStart',
        ExpressionAttributeNames: streakNames,
        ExpressionAttributeValues: {
          ':one': n(1),
          ':now': n(nowMs),
          ':streakStart': n(streakStartMs),
          ':expiresAt': n(expiresAtSeconds),
        },
      }),

    countBlockedAttempt: ({
      key,
      nowMs,
      streakStartMs,
      expectedFailures,
      blockedUntilMs,
      expiresAtSeconds,
    }) =>
      streakWrite(key, {
        UpdateExpression: 'SET #failures = :next, #last = :now, #blocked = :until, #expiresAt = :expiresAt',
        ConditionExpression:
          '#failures = :expected AND #last > :streakStart AND (attribute_not_exists(#blocked) OR #blocked <= :now)',
        ExpressionAttributeNames: streakNames,
        ExpressionAttributeValues: {
          ':expected': n(expectedFailures),
          ':next': n(expectedFailures + 1),
          ':now': n(nowMs),
          ':streakStart': n(streakStartMs),
          ':until': n(blockedUntilMs),
          ':expiresAt': n(expiresAtSeconds),
        },
      }),

    refundAttempt: async ({ key, blockedUntilMs }) => {
      const names = { '#failures': 'failures' };
      const values = { ':minusOne': n(-1), ':zero': n(0) };
      if (blockedUntilMs !== undefined) {
        const lifted = await update(key, {
          UpdateExpression: 'ADD #failures :minusOne REMOVE #blocked',
          ConditionExpression: '#blocked = :ours AND #failures > :zero',
          ExpressionAttributeNames: { ...names, '#blocked': 'blockedUntilMs' },
          ExpressionAttributeValues: { ...values, ':ours': n(blockedUntilMs) },
        });
        if (lifted.applied) return;
      }
      // A failed condition: the streak was reset or already counted down; nothing to give back.
      await update(key, {
        UpdateExpression: 'ADD #failures :minusOne',
        ConditionExpression: '#failures > :zero',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
    },

    acquireAttempt: async ({ key, owner, nowMs, untilMs, expiresAtSeconds }) =>
      (
        await update(key, {
          UpdateExpression:
            'SET #slot = :until, #owner = :owner, #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
          ConditionExpression: 'attribute_not_exists(#slot) OR #slot <= :now',
          ExpressionAttributeNames: {
            '#slot': 'attemptSlotUntilMs',
            '#owner': 'attemptSlotOwner',
            '#expiresAt': 'expiresAt',
          },
          ExpressionAttributeValues: {
            ':until': n(untilMs),
            ':owner': { S: owner },
            ':now': n(nowMs),
            ':expiresAt': n(expiresAtSeconds),
          },
        })
      ).applied,

    // A failed condition: another attempt took the slot after ours lapsed, or a success deleted the item.
    releaseAttempt: async ({ key, owner }) => {
      await update(key, {
        UpdateExpression: 'REMOVE #slot, #owner',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#slot': 'attemptSlotUntilMs', '#owner': 'attemptSlotOwner' },
        ExpressionAttributeValues: { ':owner': { S: owner } },
      });
    },
  };
};
