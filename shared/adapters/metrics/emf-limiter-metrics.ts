import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LimiterMetrics } from '../../domain/rate-limit/limiter-metrics.js';

export const METRICS_NAMESPACE = 'Bulwark';

/**
 * CloudWatch embedded metric format through Powertools: each count is written at once as its own EMF
 * line with route and policy dimensions, so no flush at the end of the invocation can be forgotten.
 * Metric names are `rate_limit_<outcome>`.
 */
export const emfLimiterMetrics = (
  metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'bulwark' }),
): LimiterMetrics => ({
  count: (outcome, dimensions) => {
    const single = metrics.singleMetric();
    single.addDimensions({ route: dimensions.route, policy: dimensions.policy });
    single.addMetric(`rate_limit_${outcome}`, MetricUnit.Count, 1);
  },
});
