import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { policyName, quotaOf } from '../../shared/domain/rate-limit/rate-limit-policy.js';
import { LimiterUnavailableError } from '../../shared/errors/rate-limit-errors.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { rateLimitHeaders } from '../../shared/http/rate-limit-headers.js';
import { addressSubject, gatewayLimitNames } from '../../shared/middlewares/realtime-limit.js';
import { routes } from '../../shared/routes/route-table.js';
import { realtimeLimiterFor } from '../../shared/runtime/realtime-limiter-for.js';

const principalKey = /^(user|api_key):[A-Za-z0-9._@-]{1,128}$/;

/**
 * `key` is what the limit counts: `ip:<client address>` for the per-address limits, `<kind>:<id>` of the
 * token's principal for `connect_principal`, exactly as the managed gateway keys them, so both count in
 * the same buckets.
 */
const consumeBody = z
  .strictObject({
    key: z.string().check(z.minLength(3), z.maxLength(200)),
    policy: z.enum(gatewayLimitNames),
  })
  .check(
    z.superRefine((body, context) => {
      const byAddress = body.policy !== 'connect_principal';
      const valid = byAddress
        ? body.key.startsWith('ip:') && isIP(body.key.slice(3)) !== 0
        : principalKey.test(body.key);
      if (!valid) {
        context.addIssue({
          code: 'custom',
          path: ['key'],
          message: byAddress ? 'must be ip:<IPv4 or IPv6 address>' : 'must be user:<id> or api_key:<id>',
        });
      }
    }),
  );

const responses = {
  200: {
    description: "The limiter's decision, allowed or not (the RateLimit headers are this limit's)",
    body: z.strictObject({
      allowed: z.boolean(),
      policy: z.string(),
      limit: z.int(),
      remaining: z.int(),
      reset_seconds: z.int(),
      retry_after_seconds: z
        .nullable(z.int())
        .clone()
        .register(z.globalRegistry, { description: 'When not allowed: seconds to wait' }),
    }),
    headers: z.object({
      'Retry-After': z
        .optional(z.string())
        .clone()
        .register(z.globalRegistry, { description: 'When not allowed: seconds to wait' }),
    }),
  },
} as const;

/**
 * For a self-hosted gateway (role `gateway`): spends one unit of a realtime limit in Bulwark's limiter
 * and answers its decision (200 whether allowed or not, with the RateLimit headers, and Retry-After when
 * not). When the limiter cannot decide the answer is 503: the gateway applies its own failure mode.
 */
export const route = secureRoute(
  routes,
  'consume-rate-limit',
  { body: consumeBody, responses },
  (runtime) => {
    const limits = realtimeLimiterFor(runtime);
    return async ({ body, log }) => {
      const subject = body.policy === 'connect_principal' ? body.key : addressSubject(body.key.slice(3));
      const dimensions = { limit: body.policy, policy: policyName(limits.policyOf(body.policy)) };
      let decision: Awaited<ReturnType<typeof limits.decide>>;
      try {
        decision = await limits.decide(body.policy, subject);
      } catch (error) {
        runtime.counters.count('realtime_limit_backend_error', dimensions);
        runtime.counters.count('realtime_limit_fail_closed', dimensions);
        log.error('realtime limiter unavailable: internal consume refused', { ...dimensions, error });
        throw new LimiterUnavailableError(5, error);
      }
      runtime.counters.count(`realtime_limit_${decision.allowed ? 'allow' : 'reject'}`, dimensions);
      return jsonResponse(
        200,
        {
          allowed: decision.allowed,
          policy: policyName(decision.policy),
          limit: quotaOf(decision.policy),
          remaining: decision.remaining,
          reset_seconds: decision.resetSeconds,
          retry_after_seconds: decision.retryAfterSeconds ?? null,
        },
        rateLimitHeaders(decision),
      );
    };
  },
);
