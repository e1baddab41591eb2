import type { Counters } from './emf-counters.js';

/** Counts per metric name since `sinceMs`, summed over dimensions: this process's view, not the fleet's. */
export interface CounterTally {
  readonly sinceMs: number;
  readonly counts: () => Readonly<Record<string, number>>;
}

/** Counters that also tally what they count, for `GET /health/full` (a few integers, no dimensions). */
export const tallyingCounters = (
  inner: Counters,
  nowMs: number,
): Counters & { readonly tally: CounterTally } => {
  const counts = new Map<string, number>();
  return {
    count: (name, dimensions) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      inner.count(name, dimensions);
    },
    tally: { sinceMs: nowMs, counts: () => Object.fromEntries(counts) },
  };
};
