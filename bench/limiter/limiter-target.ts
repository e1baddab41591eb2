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
