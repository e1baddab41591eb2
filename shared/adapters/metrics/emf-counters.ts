export const METRICS_NAMESPACE = 'Bulwark';

/** Counts one event as its own embedded-metric-format line (namespace Bulwark), so no flush can be missed. */
export interface Counters {
  readonly count: (name: string, dimensions: Readonly<Record<string, string>>) => void;
}

/**
 * One CloudWatch embedded-metric-format line per count, as Powertools' `singleMetric()` writes it
 * (`service` dimension first, then the given ones, value 1, unit Count), without the 10 KiB of its
 * Metrics class in every bundle: the format is a documented JSON shape and counting is all Bulwark does.
 */
export const emfLine = (
  name: string,
  dimensions: Readonly<Record<string, string>>,
  nowMs: number,
  value = 1,
  unit = 'Count',
): string => {
  const all = { service: 'bulwark', ...dimensions };
  return JSON.stringify({
    _aws: {
      Timestamp: nowMs,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [Object.keys(all)],
          Metrics: [{ Name: name, Unit: unit }],
        },
      ],
    },
    ...all,
    [name]: value,
  });
};

export const emfCounters = (
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Counters => ({
  count: (name, dimensions) => write(emfLine(name, dimensions, Date.now())),
});
