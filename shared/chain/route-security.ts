import { runtimeSettings } from '../config/runtime-settings.js';
import type { RateLimitPolicy } from '../domain/rate-limit/rate-limit-policy.js';
import { ConfigurationError } from '../errors/configuration-error.js';
import type { RateLimitOptions } from '../middlewares/rate-limit.js';
import type { RouteDefinition, SecuredFunction } from '../routes/route-definition.js';
import { guardrailsFor } from '../runtime/guardrails-for.js';
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
    ...(failureMode === 'fail-open'
      ? {
          onFailOpen: (dimensions) =>
            guardrailsFor(runtime).raise('limiter_fail_open', dimensions.route, {
              policy: dimensions.policy,
            }),
        }
      : {}),
    ...extras,
  };
};

/**
 * The module validates a body exactly when its table entry declares one, with the same optionality: API
 * Gateway's model is generated from the module's own schema (its contract) for the routes whose entry
 * declares a body. Refused when the module is built (cold start, and every unit test that builds it), so
 * no body reaches a function unchecked by the gateway, and the gateway never judges a body the function
 * does not take.
 */
export const assertBodyAsDeclared = (
  definition: RouteDefinition,
  options: { readonly body?: unknown; readonly emptyBody?: unknown },
): void => {
  const declared = definition.body;
  if ((declared === undefined) !== (options.body === undefined)) {
    throw new TypeError(
      options.body === undefined
        ? `Route ${definition.id}: its table entry declares a body, but the route module validates none`
        : `Route ${definition.id}: the route module validates a body its table entry does not declare; ` +
            'add `body: {}` to the entry, so API Gateway validates it too',
    );
  }
  if ((declared?.optional === true) !== (options.emptyBody !== undefined)) {
    throw new TypeError(
      `Route ${definition.id}: the entry's body.optional and the module's emptyBody must agree`,
    );
  }
};
