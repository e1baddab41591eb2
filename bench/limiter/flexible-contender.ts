import type { DynamoDB } from '@aws-sdk/client-dynamodb';
import { RateLimiterDynamo, RateLimiterRes } from 'rate-limiter-flexible';
import { countDynamoDbCalls } from './count-dynamodb-calls.js';
import type { LimiterContender } from './limiter-contender.js';

/**
 * Lets rate-limiter-flexible create its own table (key `key`, provisioned throughput, TTL on `expire`)
 * the way an application would on first start; later instances pass `tableCreated` and `ttlSet`.
 */
export const createFlexibleTable = (client: DynamoDB, tableName: string): Promise<void> =>
  new Promise((resolve, reject) => {
    new RateLimiterDynamo({ storeClient: client, tableName, points: 1, duration: 1 }, (error?: unknown) =>
      error === undefined || error === null ? resolve() : reject(error),
    );
  });

/**
 * rate-limiter-flexible's RateLimiterDynamo. It needs the aggregated `DynamoDB` class (it calls
 * `client.updateItem(...)`), which extends `DynamoDBClient`, so the counting middleware is the same.
 * `inMemoryBlock` sets `inMemoryBlockOnConsumed` to the quota: once a key has consumed it, that
 * instance rejects the key in process until the window ends.
 */
export const flexibleContender = (
  client: DynamoDB,
  tableName: string,
  inMemoryBlock: boolean,
): LimiterContender => {
  const id = inMemoryBlock ? 'flexible-imb' : 'flexible';
  const calls = countDynamoDbCalls(client, id);
  return {
    id,
    label: inMemoryBlock ? 'rate-limiter-flexible, inMemoryBlock' : 'rate-limiter-flexible',
    model: 'first_request_window',
    bulwark: false,
    calls,
    instance: (limit) => {
      const limiter = new RateLimiterDynamo({
        storeClient: client,
        tableName,
        tableCreated: true,
        ttlSet: true,
        points: limit.quota,
        duration: limit.periodSeconds,
        ...(inMemoryBlock ? { inMemoryBlockOnConsumed: limit.quota } : {}),
      });
      return async (key) => {
        const atMs = Date.now();
        try {
          await limiter.consume(key);
          return { allowed: true, atMs };
        } catch (error) {
          // A RateLimiterRes rejection is "over the limit"; anything else is a real failure.
          if (error instanceof RateLimiterRes) return { allowed: false, atMs };
          throw error;
        }
      };
    },
  };
};
