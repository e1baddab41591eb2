import { createDynamoDbClient } from '../adapters/dynamodb/create-dynamodb-client.js';
import { dynamoDbRateLimitStore } from '../adapters/dynamodb/dynamodb-rate-limit-store.js';
import { emfLimiterMetrics } from '../adapters/metrics/emf-limiter-metrics.js';
import { ConfigurationError } from '../config/configuration-error.js';
import { apiKeyRateLimitPolicy } from '../domain/api-keys/api-key.js';
import type { LimiterMetrics } from '../domain/rate-limit/limiter-metrics.js';
import type { RateLimitPolicy } from '../domain/rate-limit/rate-limit-policy.js';
import { createRateLimiter, type RateLimiter } from '../domain/rate-limit/rate-limiter.js';
import { securedFunctionById } from '../http/route-table.js';
import type { SecureRouteOptions } from '../http/secure-handler.js';
import type { RateLimitOptions } from '../middlewares/rate-limit.js';
import { tableDefinitions } from '../tables/table-definitions.js';
import { requireSetting } from './require-setting.js';
import type { Runtime } from './runtime.js';

const limiters = new WeakMap<Runtime, { limiter: RateLimiter; metrics: LimiterMetrics }>();

/**
 * One limiter per process with its own DynamoDB client: few attempts and a short timeout, so an outage
 * becomes a fail-closed 503 (or a logged fail-open) in well under a second or two instead of hanging
 * through the SDK's default retries.
 */
const limiterFor = (runtime: Runtime) => {
  let entry = limiters.get(runtime);
  if (entry === undefined) {
    const { config } = runtime;
    const client = createDynamoDbClient({
      region: config.awsRegion,
      endpoint: config.dynamoDbEndpoint,
      maxAttempts: 2,
      requestTimeoutMs: config.rateLimit.timeoutMs,
      connectionTimeoutMs: config.rateLimit.timeoutMs,
    });
    const tableName = requireSetting(
      tableDefinitions.rateLimits.environmentVariable,
      config.rateLimit.tableName,
    );
    entry = {
      // Revocation markers live in the sessions table; functions without it never pass any to check.
      limiter: createRateLimiter({
        store: dynamoDbRateLimitStore(client, tableName, config.sessionsTableName),
        clock: runtime.clock,
      }),
      metrics: emfLimiterMetrics(),
    };
    limiters.set(runtime, entry);
  }
  return entry;
};

/**
 * The chain options of a function in the route table: its authentication and its rate limit, with
 * `default` resolved from API_RATE_LIMIT_* and the failure mode from SECURITY_LIMITER_FAILURE_MODE unless
 * the route overrides it. Fail-open is refused in production without the acknowledgement, and logged.
 */
export const routeSecurity = (
  runtime: Runtime,
  id: string,
): Pick<SecureRouteOptions<undefined>, 'auth' | 'roles'> & { readonly rateLimit: RateLimitOptions } => {
  const secured = securedFunctionById(id);
  const { config } = runtime;
  const policy: RateLimitPolicy =
    secured.rateLimit.policy === 'default'
      ? {
          kind: 'fixed_window',
          requests: config.rateLimit.defaultRequests,
          windowSeconds: config.rateLimit.defaultWindowSeconds,
        }
      : secured.rateLimit.policy;
  const failureMode = secured.rateLimit.failureMode ?? config.rateLimit.failureMode;
  if (failureMode === 'fail-open') {
    if (config.environment === 'production' && !config.rateLimit.failOpenAcknowledged) {
      throw new ConfigurationError(
        'SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED',
        `route ${id} is set to fail open; production requires the acknowledgement`,
      );
    }
    runtime.logger.warn('rate limiter fails open on this route: a DynamoDB outage admits every request', {
      route: id,
    });
  }
  const { limiter, metrics } = limiterFor(runtime);
  return {
    auth: secured.auth,
    ...(secured.roles === undefined ? {} : { roles: secured.roles }),
    rateLimit: {
      limiter,
      metrics,
      routeId: id,
      policy,
      // An API key's own `{ burst, per_seconds }` replaces the route's policy for that key.
      policyFor: (principal) =>
        principal.kind === 'api_key' && typeof principal.rateLimit === 'object'
          ? apiKeyRateLimitPolicy(principal.rateLimit)
          : undefined,
      failureMode,
    },
  };
};
