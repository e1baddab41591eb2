import { baselineId } from '../baseline/baseline-fixture.js';
import type { FunctionBundle } from '../build-function-bundles.js';
import type { ColdStartResult } from './measure-cold-starts.js';

/**
 * The cold-start targets of issue 10, step 6: module init (p50) as a fraction of the hand-written
 * baseline's in the same run, and bundle size. The light functions do almost nothing per request, so
 * they are held to the tighter ratio.
 */
export const coldStartTargets = Object.freeze({
  initRatio: 0.9,
  lightInitRatio: 0.85,
  lightFunctions: Object.freeze(['health', 'jwks', 'route-fallback']),
  bundleKiB: 450,
});

export interface ColdStartVerdict {
  readonly id: string;
  readonly bundleKiB: number;
  readonly initRatio: number;
  readonly initPlusFirstRatio: number;
  /** The same ratios in CPU time: the cross-check when the machine was busy. */
  readonly initCpuRatio: number;
  readonly initPlusFirstCpuRatio: number;
  /** The ratio this function must stay at or under. */
  readonly initRatioTarget: number;
  readonly meetsInit: boolean;
  readonly meetsBundle: boolean;
}

export interface ColdStartVerdicts {
  readonly baseline: ColdStartResult;
  readonly baselineBundle: FunctionBundle;
  readonly functions: readonly ColdStartVerdict[];
  /** One line for the terminal and the docs. */
  readonly line: string;
}

const resultOf = (results: readonly ColdStartResult[], id: string): ColdStartResult => {
  const found = results.find((result) => result.id === id);
  if (found === undefined) throw new Error(`no cold-start figures for ${id}`);
  return found;
};

export const initRatioTargetOf = (id: string): number =>
  coldStartTargets.lightFunctions.includes(id) ? coldStartTargets.lightInitRatio : coldStartTargets.initRatio;

/** Ratios to the baseline of the same run, p50 against p50, and whether each function meets its targets. */
export const coldStartVerdicts = (
  bundles: readonly FunctionBundle[],
  results: readonly ColdStartResult[],
): ColdStartVerdicts => {
  const baseline = resultOf(results, baselineId);
  const baselineBundle = bundles.find((bundle) => bundle.id === baselineId);
  if (baselineBundle === undefined) throw new Error('the hand-written baseline was not bundled');
  const baselineInitPlusFirst = baseline.initPlusFirstMs?.p50;
  const baselineInitPlusFirstCpu = baseline.initPlusFirstCpuMs?.p50;
  if (baselineInitPlusFirst === undefined || baselineInitPlusFirstCpu === undefined) {
    throw new Error('the baseline answered no first request');
  }
  const functions = bundles
    .filter((bundle) => bundle.id !== baselineId)
    .map((bundle): ColdStartVerdict => {
      const result = resultOf(results, bundle.id);
      const initRatio = result.initMs.p50 / baseline.initMs.p50;
      const initRatioTarget = initRatioTargetOf(bundle.id);
      const bundleKiB = bundle.bytes / 1024;
      return {
        id: bundle.id,
        bundleKiB,
        initRatio,
        initPlusFirstRatio: (result.initPlusFirstMs?.p50 ?? Number.NaN) / baselineInitPlusFirst,
        initCpuRatio: result.initCpuMs.p50 / baseline.initCpuMs.p50,
        initPlusFirstCpuRatio: (result.initPlusFirstCpuMs?.p50 ?? Number.NaN) / baselineInitPlusFirstCpu,
        initRatioTarget,
        meetsInit: initRatio <= initRatioTarget,
        meetsBundle: bundleKiB < coldStartTargets.bundleKiB,
      };
    });
  const count = (test: (verdict: ColdStartVerdict) => boolean) => functions.filter(test).length;
  const all = count((verdict) => verdict.meetsInit && verdict.meetsBundle);
  const line =
    `Cold-start targets (init p50 at most ${coldStartTargets.initRatio.toFixed(2)}x the hand-written handler's, ` +
    `${coldStartTargets.lightInitRatio.toFixed(2)}x for ${coldStartTargets.lightFunctions.join(', ')}; ` +
    `every bundle below ${coldStartTargets.bundleKiB} KiB): ${all === functions.length ? 'MET' : 'NOT MET'}, ` +
    `${all} of ${functions.length} functions meet both; init ${count((verdict) => verdict.meetsInit)} of ` +
    `${functions.length}, bundle ${count((verdict) => verdict.meetsBundle)} of ${functions.length}; ` +
    `in CPU time, ${count((verdict) => verdict.initCpuRatio <= verdict.initRatioTarget)} of ${functions.length} ` +
    'would meet the init target.';
  return { baseline, baselineBundle, functions, line };
};
