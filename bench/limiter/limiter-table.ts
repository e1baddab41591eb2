import { percentile } from '../latency-stats.js';
import type { LimiterRow } from './measure-limiters.js';
import { limiterWorkloadLabels } from './measure-limiters.js';

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const range = (values: readonly number[]) => {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? String(low) : `${low}-${high}`;
};

/** Over-admission (more admitted than a correct limiter may) in any run of the row. */
export const overAdmitted = (row: LimiterRow): number =>
  Math.max(0, ...row.runs.map((run) => run.admitted - run.expected));

export const callsPerDecision = (row: LimiterRow): number =>
  sum(row.runs.map((run) => run.calls)) / sum(row.runs.map((run) => run.decisions));

/** One line per contender and workload; repeated runs (burst) show min-max per run. */
export const limiterTable = (rows: readonly LimiterRow[]) => ({
  header: [
    'limiter',
    'workload',
    'decisions',
    'admitted',
    'allowed/expected',
    'calls/decision',
    'p50 ms',
    'p99 ms',
  ],
  rows: rows.map((row) => {
    const perRun = row.runs.length > 1 ? '/run' : '';
    const latencies = Float64Array.from(row.runs.flatMap((run) => run.latenciesMs)).sort();
    const over = overAdmitted(row);
    return [
      row.contender.label,
      limiterWorkloadLabels[row.workload],
      String(sum(row.runs.map((run) => run.decisions))),
      `${range(row.runs.map((run) => run.admitted))}${perRun}${over > 0 ? ` (+${over} over)` : ''}`,
      `${range(row.runs.map((run) => run.expected))}${perRun}`,
      callsPerDecision(row).toFixed(2),
      percentile(latencies, 0.5).toFixed(1),
      percentile(latencies, 0.99).toFixed(1),
    ];
  }),
});
