export interface LatencyStats {
  readonly count: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
}

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted: ArrayLike<number>, fraction: number): number => {
  if (sorted.length === 0) throw new RangeError('percentile of an empty sample');
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
};

/** Mean and percentiles, in microseconds, of samples taken in nanoseconds. */
export const latencyStats = (samplesNs: Float64Array): LatencyStats => {
  const sorted = Float64Array.from(samplesNs).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    meanUs: total / sorted.length / 1_000,
    p50Us: percentile(sorted, 0.5) / 1_000,
    p90Us: percentile(sorted, 0.9) / 1_000,
    p99Us: percentile(sorted, 0.99) / 1_000,
  };
};
