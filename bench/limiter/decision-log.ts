import { expectedAdmissions, type KeyedReading } from './expected-admissions.js';
import type { Decide, LimiterContender, LimitSpec } from './limiter-contender.js';

/** One workload run of one contender: what it admitted, what it was allowed, what it cost. */
export interface WorkloadRun {
  readonly decisions: number;
  readonly admitted: number;
  /** The most a correct limiter may admit for these decisions (see expectedAdmissions). */
  readonly expected: number;
  readonly calls: number;
  readonly latenciesMs: readonly number[];
}

/**
 * Records decisions of one run. `record` never rejects (an open-loop run keeps promises pending), so
 * the first real error is kept and thrown by `finish`.
 */
export const decisionLog = (contender: LimiterContender, limit: LimitSpec) => {
  const callsBefore = contender.calls();
  const readings: KeyedReading[] = [];
  const latenciesMs: number[] = [];
  let admitted = 0;
  let failure: { readonly error: unknown } | undefined;

  const record = async (decide: Decide, key: string): Promise<void> => {
    const started = performance.now();
    try {
      const outcome = await decide(key);
      latenciesMs.push(performance.now() - started);
      readings.push({ key, atMs: outcome.atMs });
      if (outcome.allowed) admitted += 1;
    } catch (error) {
      failure ??= { error };
    }
  };

  const finish = (): WorkloadRun => {
    if (failure !== undefined) {
      throw new Error(`${contender.label}: a decision failed`, { cause: failure.error });
    }
    return {
      decisions: readings.length,
      admitted,
      expected: expectedAdmissions(contender.model, limit, readings),
      calls: contender.calls() - callsBefore,
      latenciesMs,
    };
  };

  return { record, finish };
};
