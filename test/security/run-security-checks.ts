import {
  CheckFailedError,
  type CheckResult,
  CheckSkippedError,
  type SecurityCheck,
} from './security-check.js';
import type { Target } from './target.js';

/**
 * Runs the checks one after another (their budgets and throttles must not mix) and reports each result
 * as soon as it is known. A check that throws anything but a check error fails with that error's message:
 * a broken connection or an unexpected answer shape is a finding, not a crash of the suite.
 */
export const runSecurityChecks = async (
  target: Target,
  checks: readonly SecurityCheck[],
  onResult: (result: CheckResult) => void = () => undefined,
  /** Aborted (Ctrl-C): no further check starts, and the one running reports nothing. */
  signal?: AbortSignal,
): Promise<CheckResult[]> => {
  const results: CheckResult[] = [];
  for (const check of checks) {
    if (signal?.aborted === true) break;
    const started = performance.now();
    const finish = (status: CheckResult['status'], detail?: string) => {
      const result: CheckResult = {
        id: check.id,
        proves: check.proves,
        status,
        ...(detail === undefined ? {} : { detail }),
        elapsedMs: Math.round(performance.now() - started),
      };
      if (signal?.aborted === true) return;
      results.push(result);
      onResult(result);
    };
    if (check.localOnly !== undefined && target.local === undefined) {
      finish('SKIP', `local mode only: ${check.localOnly}`);
      continue;
    }
    try {
      await check.run(target);
      finish('PASS');
    } catch (error) {
      if (error instanceof CheckSkippedError) finish('SKIP', error.message);
      else if (error instanceof CheckFailedError) finish('FAIL', error.message);
      else finish('FAIL', `error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return results;
};

/**
 * One line: `FAIL  token.alg-none  <what it proves> (0.2 s) -- saw: <what was seen>`, or why it was
 * skipped.
 */
export const formatResult = (result: CheckResult): string => {
  const line = `${result.status}  ${result.id.padEnd(36)} ${result.proves} (${(result.elapsedMs / 1000).toFixed(1)} s)`;
  if (result.detail === undefined) return line;
  return `${line} -- ${result.status === 'FAIL' ? 'saw' : 'skipped'}: ${result.detail}`;
};

export const summarize = (results: readonly CheckResult[], elapsedMs: number): string => {
  const count = (status: CheckResult['status']) =>
    results.filter((result) => result.status === status).length;
  return `security suite: ${results.length} checks, ${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped in ${(elapsedMs / 1000).toFixed(1)} s`;
};
