import type { WorkloadRun } from './decision-log.js';
import { overAdmitted } from './limiter-table.js';
import { type LimiterRow, overloadWorkloads } from './measure-limiters.js';

export const targetCallsPerDecision = 1.1;

export interface LimiterTarget {
  /** Bulwark's DynamoDB calls per decision over every overload decision (burst and steady, both algorithms). */
  readonly callsPerDecision: number;
  readonly decisions: number;
  /** The same average per Bulwark algorithm. */
  readonly perAlgorithm: readonly { readonly label: string; readonly callsPerDecision: number }[];
  /** No run admitted more than allowed, and every burst run admitted exactly the limit. */
  readonly exact: boolean;
  readonly met: boolean;
  readonly line: string;
}

const averageCalls = (runs: readonly WorkloadRun[]) =>
  runs.reduce((total, run) => total + run.calls, 0) / runs.reduce((total, run) => total + run.decisions, 0);

/** The target: exact admission with at most 1.1 DynamoDB calls per decision under overload. */
export const limiterTarget = (rows: readonly LimiterRow[]): LimiterTarget => {
  const overload = rows.filter((row) => row.contender.bulwark && overloadWorkloads.includes(row.workload));
  const runs = overload.flatMap((row) => row.runs);
  const average = averageCalls(runs);
  const decisions = runs.reduce((total, run) => total + run.decisions, 0);
  const perAlgorithm = [...new Set(overload.map((row) => row.contender.label))].map((label) => ({
    label,
    callsPerDecision: averageCalls(
      overload.filter((row) => row.contender.label === label).flatMap((row) => row.runs),
    ),
  }));
  const exact = overload.every(
    (row) =>
      overAdmitted(row) === 0 &&
      (row.workload === 'steady' || row.runs.every((run) => run.admitted === run.expected)),
  );
  const met = exact && average <= targetCallsPerDecision;
  const split = perAlgorithm.map((entry) => `${entry.label} ${entry.callsPerDecision.toFixed(3)}`).join(', ');
  const line =
    `Target "exact admission with at most ${targetCallsPerDecision} DynamoDB calls per decision on average ` +
    `under overload": ${met ? 'MET' : 'NOT MET'}. Bulwark averaged ${average.toFixed(3)} calls/decision ` +
    `over its ${decisions} overload decisions (burst and steady; ${split}); admission ` +
    `${exact ? 'exact (no run above its maximum, every burst run at exactly the limit)' : 'NOT exact'}.`;
  return { callsPerDecision: average, decisions, perAlgorithm, exact, met, line };
};

export const targetBucketCallsPerDecision = 1.05;

/**
 * Issue 14, part 2: the token bucket costs no more than the fixed window's one write in every
 * workload, under the limit with many instances included, at most 1.05 calls per decision in each,
 * with no run admitting more than a correct limiter may.
 */
export const bucketTarget = (
  rows: readonly LimiterRow[],
): { readonly met: boolean; readonly line: string } => {
  const bucket = rows.filter((row) => row.contender.id === 'bulwark-tb');
  const perWorkload = bucket.map((row) => ({ workload: row.workload, calls: averageCalls(row.runs) }));
  const worst = perWorkload.reduce(
    (most, entry) => (entry.calls > most.calls ? entry : most),
    perWorkload[0] ?? { workload: 'under-20' as const, calls: Number.NaN },
  );
  const exact = bucket.every((row) => overAdmitted(row) === 0);
  const met = bucket.length > 0 && exact && worst.calls <= targetBucketCallsPerDecision;
  const line =
    `Target "token bucket at most ${targetBucketCallsPerDecision} DynamoDB calls per decision in every ` +
    `workload, admission exact": ${met ? 'MET' : 'NOT MET'}. ` +
    perWorkload.map((entry) => `${entry.workload} ${entry.calls.toFixed(3)}`).join(', ') +
    `; admission ${exact ? 'exact (no run above its maximum)' : 'NOT exact'}.`;
  return { met, line };
};
