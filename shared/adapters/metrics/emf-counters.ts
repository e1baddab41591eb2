import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'Bulwark';

/** Counts one event as its own embedded-metric-format line (namespace Bulwark), so no flush can be missed. */
export interface Counters {
  readonly count: (name: string, dimensions: Readonly<Record<string, string>>) => void;
}

export const emfCounters = (
  metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'bulwark' }),
): Counters => ({
  count: (name, dimensions) => {
    const single = metrics.singleMetric();
    single.addDimensions({ ...dimensions });
    single.addMetric(name, MetricUnit.Count, 1);
  },
});
