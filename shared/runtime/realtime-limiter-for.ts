import { type RealtimeLimiter, realtimeLimiter } from '../middlewares/realtime-limit.js';
import { guardrailsFor } from './guardrails-for.js';
import { perRuntime } from './per-runtime.js';
import { rateLimiterFor } from './rate-limiter-for.js';

/**
 * The realtime limits on Bulwark's one limiter (same table, same engine, same in-process cache), sized by
 * the REALTIME_* settings and failing as REALTIME_LIMITER_FAILURE_MODE says. Outcomes are counted as
 * `realtime_limit_<outcome>`, apart from the API's `rate_limit_<outcome>`.
 */
export const realtimeLimiterFor = perRuntime((runtime): RealtimeLimiter => {
  const { realtime } = runtime.config;
  return realtimeLimiter({
    limiter: rateLimiterFor(runtime).limiter,
    policies: {
      connectPerPrincipal: {
        kind: 'fixed_window',
        requests: realtime.connectsPerPrincipal,
        windowSeconds: realtime.connectWindowSeconds,
      },
      connectPerIp: {
        kind: 'fixed_window',
        requests: realtime.connectsPerIp,
        windowSeconds: realtime.connectWindowSeconds,
      },
      publicSubscribePerIp: {
        kind: 'fixed_window',
        requests: realtime.publicSubscribesPerIp,
        windowSeconds: realtime.subscribeWindowSeconds,
      },
    },
    failureMode: realtime.limiterFailureMode,
    count: (outcome, dimensions) => runtime.counters.count(`realtime_limit_${outcome}`, dimensions),
    ...(realtime.limiterFailureMode === 'fail-open'
      ? {
          onFailOpen: ({ limit, policy }) =>
            guardrailsFor(runtime).raise('limiter_fail_open', `realtime:${limit}`, { policy }),
        }
      : {}),
  });
});
