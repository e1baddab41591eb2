import type { LimiterMetrics } from '../../domain/rate-limit/limiter-metrics.js';
import { type Counters, emfCounters } from './emf-counters.js';

export { METRICS_NAMESPACE } from './emf-counters.js';

/** Limiter outcomes as `rate_limit_<outcome>` counters with route and policy dimensions. */
export const emfLimiterMetrics = (counters: Counters = emfCounters()): LimiterMetrics => ({
  count: (outcome, dimensions) =>
    counters.count(`rate_limit_${outcome}`, { route: dimensions.route, policy: dimensions.policy }),
});
