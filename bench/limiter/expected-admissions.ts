import type { AdmissionModel, LimitSpec } from './limiter-contender.js';

export interface KeyedReading {
  readonly key: string;
  readonly atMs: number;
}

const windowCounts = (model: AdmissionModel, periodMs: number, sortedMs: readonly number[]): number[] => {
  const counts: number[] = [];
  let windowEnd = Number.NEGATIVE_INFINITY;
  let alignedWindow = Number.NaN;
  for (const atMs of sortedMs) {
    const opens =
      model === 'aligned_window' ? Math.floor(atMs / periodMs) !== alignedWindow : atMs >= windowEnd;
    if (opens) {
      alignedWindow = Math.floor(atMs / periodMs);
      windowEnd = atMs + periodMs;
      counts.push(0);
    }
    counts[counts.length - 1] = (counts.at(-1) ?? 0) + 1;
  }
  return counts;
};

/**
 * The most admissions a correct limiter of `model` may grant for these decisions, each key apart.
 * Token bucket (GCRA, interval rounded up to whole ms as Bulwark does): `quota + floor(span / interval)`
 * over the key's first to last decision, and never more than were offered. Windows: `quota` (or fewer
 * if fewer were offered) per window the decisions touched.
 */
export const expectedAdmissions = (
  model: AdmissionModel,
  limit: LimitSpec,
  readings: readonly KeyedReading[],
): number => {
  const byKey = new Map<string, number[]>();
  for (const { key, atMs } of readings) {
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [atMs]);
    else list.push(atMs);
  }
  const periodMs = limit.periodSeconds * 1000;
  let total = 0;
  for (const times of byKey.values()) {
    times.sort((left, right) => left - right);
    if (model === 'token_bucket') {
      const intervalMs = Math.ceil(periodMs / limit.quota);
      const spanMs = (times.at(-1) ?? 0) - (times[0] ?? 0);
      total += Math.min(times.length, limit.quota + Math.floor(spanMs / intervalMs));
    } else {
      for (const count of windowCounts(model, periodMs, times)) total += Math.min(limit.quota, count);
    }
  }
  return total;
};
