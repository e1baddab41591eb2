import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbRateLimitStore } from '../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';
import { type Clock, systemClock } from '../../shared/domain/clock.js';
import type { RateLimitPolicy } from '../../shared/domain/rate-limit/rate-limit-policy.js';
import { createRateLimiter } from '../../shared/domain/rate-limit/rate-limiter.js';
import { countDynamoDbCalls } from './count-dynamodb-calls.js';
import type { LimiterContender, LimitSpec } from './limiter-contender.js';

export interface BulwarkContender extends LimiterContender {
  /** Sum of the `backendCalls` the decisions reported, to check against the middleware count. */
  readonly reportedCalls: () => number;
  /** Rejects decided in process from cached state (`source: 'cache'`). */
  readonly cacheRejects: () => number;
}

const policyFor = (kind: RateLimitPolicy['kind'], limit: LimitSpec): RateLimitPolicy =>
  kind === 'token_bucket'
    ? { kind, burst: limit.quota, perSeconds: limit.periodSeconds }
    : { kind, requests: limit.quota, windowSeconds: limit.periodSeconds };

/** Bulwark's limiter (domain engine + DynamoDB store) on its own client, one algorithm per contender. */
export const bulwarkContender = (
  kind: RateLimitPolicy['kind'],
  client: DynamoDBClient,
  tableName: string,
): BulwarkContender => {
  const calls = countDynamoDbCalls(client, `bulwark-${kind}`);
  const store = dynamoDbRateLimitStore(client, tableName);
  let reported = 0;
  let cacheRejects = 0;
  return {
    id: kind === 'token_bucket' ? 'bulwark-tb' : 'bulwark-fw',
    label: kind === 'token_bucket' ? 'Bulwark token bucket' : 'Bulwark fixed window',
    model: kind === 'token_bucket' ? 'token_bucket' : 'aligned_window',
    bulwark: true,
    calls,
    reportedCalls: () => reported,
    cacheRejects: () => cacheRejects,
    instance: (limit, options = {}) => {
      const { fixedNowMs } = options;
      const clock: Clock = fixedNowMs === undefined ? systemClock : { nowMs: () => fixedNowMs };
      const limiter = createRateLimiter({ store, clock });
      const policy = policyFor(kind, limit);
      return async (key) => {
        const atMs = clock.nowMs();
        const decision = await limiter.decide(key, policy);
        reported += decision.backendCalls;
        if (decision.source === 'cache') cacheRejects += 1;
        return { allowed: decision.allowed, atMs };
      };
    },
  };
};
