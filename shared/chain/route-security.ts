import { runtimeSettings } from '../config/runtime-settings.js';
import type { RateLimitPolicy } from '../domain/rate-limit/rate-limit-policy.js';
import { ConfigurationError } from '../errors/configuration-error.js';
import type { RateLimitOptions } from '../middlewares/rate-limit.js';
import type { SecuredFunction } from '../routes/route-definition.js';
import { rateLimiterFor } from '../runtime/rate-limiter-for.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * A route's rate limit as the chain applies it: `default` resolved from API_RATE_LIMIT_*, the failure
 * mode from SECURITY_LIMITER_FAILURE_MODE unless the route overrides it (secure routes add an API key's
 * own bucket in place of the route's policy, public ones the fallback's exemption). Fail-open on a route is refused in production without the acknowledgement, and
 * logged at cold start wherever it is allowed.
 */
export const rateLimitOf = (
  runtime: Runtime,
  secured: SecuredFunction,
  extras: Pick<RateLimitOptions, 'exempt' | 'policyFor'> = {},
): RateLimitOptions => {
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
        runtimeSettings.rateLimit.failOpenAcknowledged.variable,
        `route ${secured.id} is set to fail open; production requires the acknowledgement`,
      );
    }
    runtime.logger.warn('rate limiter fails open on this route: a DynamoDB outage admits every request', {
      route: secured.id,
    });
  }
  const { limiter, metrics } = rateLimiterFor(runtime);
  return {
    limiter,
    metrics,
    routeId: secured.id,
    policy,
    failureMode,
    ...extras,
  };
};
