import type { LimiterFigures } from '../summary/section-figures.js';
import type { LimiterTarget } from './limiter-target.js';
import { type LimiterRow, overloadWorkloads } from './measure-limiters.js';

/** Calls per decision of one contender over every overload decision (burst and steady), as the target counts. */
const overloadCalls = (rows: readonly LimiterRow[], contenderId: string): number => {
  const runs = rows
    .filter((row) => row.contender.id === contenderId && overloadWorkloads.includes(row.workload))
    .flatMap((row) => row.runs);
  const decisions = runs.reduce((total, run) => total + run.decisions, 0);
  return decisions === 0 ? Number.NaN : runs.reduce((total, run) => total + run.calls, 0) / decisions;
};

/** What the summary quotes of the limiter part: Bulwark's overload average against flexible's. */
export const limiterFigures = (
  rows: readonly LimiterRow[],
  target: Pick<LimiterTarget, 'callsPerDecision' | 'exact'>,
  run: string,
): LimiterFigures => ({
  section: 'limiter',
  run,
  bulwarkCallsPerDecision: target.callsPerDecision,
  flexibleCallsPerDecision: overloadCalls(rows, 'flexible'),
  flexibleInMemoryCallsPerDecision: overloadCalls(rows, 'flexible-imb'),
  exact: target.exact,
});
