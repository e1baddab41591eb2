import { dynamoDbRateLimitStore } from '../adapters/dynamodb/dynamodb-rate-limit-store.js';
import { emfLimiterMetrics } from '../adapters/metrics/emf-limiter-metrics.js';
import type { LimiterMetrics } from '../domain/rate-limit/limiter-metrics.js';
import { createRateLimiter, type RateLimiter } from '../domain/rate-limit/rate-limiter.js';
import { defaultLeasingOptions } from '../domain/rate-limit/window-lease.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

export interface RateLimiterCapability {
  readonly limiter: RateLimiter;
  readonly metrics: LimiterMetrics;
}

/**
 * One limiter per process, on the request path's DynamoDB client. Revocation markers live in the
 * sessions table; a function without it (a public route) never passes any to check. Hot fixed-window
 * keys with no revocation guard are leased (ADR 0005, hot keys): a key past one partition's write rate.
 * An API key's state is kept on its own record, so one conditional write both spends its quota and
 * proves the key's cached record current (ADR 0005, API-key requests).
 */
export const rateLimiterFor = perRuntime((runtime): RateLimiterCapability => {
  const { config } = runtime;
  const store =
    runtime.stores.rateLimits ??
    dynamoDbRateLimitStore(
      runtime.dynamoDb(),
      requireSetting(tableDefinitions.rateLimits.environmentVariable, config.rateLimit.tableName),
      config.sessionsTableName,
      // API keys keep their limiter state on their records (ADR 0005, API-key requests).
      config.apiKeysTableName,
    );
  return {
    limiter: createRateLimiter({ store, clock: runtime.clock, leasing: defaultLeasingOptions }),
    metrics: emfLimiterMetrics(runtime.counters),
  };
});
