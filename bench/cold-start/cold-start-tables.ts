import { baselineId } from '../baseline/baseline-fixture.js';
import type { FunctionBundle } from '../build-function-bundles.js';
import { type ColdStartVerdict, type ColdStartVerdicts, coldStartTargets } from './cold-start-targets.js';
import type { ColdStartBenchResult } from './measure-cold-start.js';
import type { ColdStartResult } from './measure-cold-starts.js';

export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Numeric columns, right-aligned in markdown. */
  readonly numeric: readonly number[];
}

const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));
const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const ratio = (value: number) => `${value.toFixed(2)}x`;
const calls = ({ min, max }: { readonly min: number; readonly max: number }) =>
  min === max ? String(min) : `${min}-${max}`;

const topPackages = (bundle: FunctionBundle) =>
  bundle.packages
    .slice(0, 3)
    .map((share) => `${share.name} ${kib(share.bytes)}`)
    .join(', ');

const resultOf = (results: readonly ColdStartResult[], id: string): ColdStartResult => {
  const found = results.find((result) => result.id === id);
  if (found === undefined) throw new Error(`no cold-start figures for ${id}`);
  return found;
};

/** Flags a wall-clock init verdict that CPU time contradicts: on a busy machine, likely noise. */
const cpuDisagrees = (verdict: ColdStartVerdict): string => {
  const meetsInCpu = verdict.initCpuRatio <= verdict.initRatioTarget;
  if (meetsInCpu === verdict.meetsInit) return '';
  return ` (CPU time ${meetsInCpu ? 'meets' : 'misses'} the init target: ${ratio(verdict.initCpuRatio)})`;
};

/** Per function: size, init, init plus first request, both ratios to the baseline, target and verdict. */
export const targetsTable = (bench: ColdStartBenchResult, verdicts: ColdStartVerdicts): Table => {
  const { baseline, baselineBundle } = verdicts;
  return {
    header: [
      'function',
      'bundle KiB',
      'init p50 ms',
      'init + 1st request p50 ms',
      'init ratio',
      'init + 1st ratio',
      'CPU: init ratio',
      'CPU: init + 1st ratio',
      'target',
      'verdict',
    ],
    numeric: [1, 2, 3, 4, 5, 6, 7],
    rows: [
      [
        `${baselineId} (baseline)`,
        kib(baselineBundle.bytes),
        ms(baseline.initMs.p50),
        ms(baseline.initPlusFirstMs?.p50),
        '1.00x',
        '1.00x',
        '1.00x',
        '1.00x',
        '-',
        '-',
      ],
      ...verdicts.functions.map((verdict) => {
        const result = resultOf(bench.results, verdict.id);
        const misses = [
          ...(verdict.meetsInit ? [] : [`init ${ratio(verdict.initRatio)}`]),
          ...(verdict.meetsBundle ? [] : [`bundle ${verdict.bundleKiB.toFixed(1)} KiB`]),
        ];
        return [
          verdict.id,
          verdict.bundleKiB.toFixed(1),
          ms(result.initMs.p50),
          ms(result.initPlusFirstMs?.p50),
          ratio(verdict.initRatio),
          ratio(verdict.initPlusFirstRatio),
          ratio(verdict.initCpuRatio),
          ratio(verdict.initPlusFirstCpuRatio),
          `init ≤ ${ratio(verdict.initRatioTarget)}, < ${coldStartTargets.bundleKiB} KiB`,
          `${misses.length === 0 ? 'meets' : `misses: ${misses.join(', ')}`}${cpuDisagrees(verdict)}`,
        ];
      }),
    ],
  };
};

/** The rest of each cold start: spread, the first request alone, calls to the stand-ins, what is inside. */
export const detailsTable = (bench: ColdStartBenchResult): Table => {
  const bundleOf = (id: string) => bench.bundles.find((bundle) => bundle.id === id);
  return {
    header: [
      'function',
      'gzip KiB',
      'init p50 ms',
      'init p90 ms',
      'ready p50 ms',
      '1st request p50 ms',
      '1st request p90 ms',
      'init + 1st p90 ms',
      'CPU: init p50 ms',
      'CPU: init + 1st p50 ms',
      'Secrets Manager calls',
      'DynamoDB calls',
      'first answer',
      'largest contributors (KiB)',
    ],
    numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    rows: bench.results.map((result) => {
      const bundle = bundleOf(result.id);
      return [
        result.id === baselineId ? `${baselineId} (baseline)` : result.id,
        bundle === undefined ? '-' : kib(bundle.gzipBytes),
        ms(result.initMs.p50),
        ms(result.initMs.p90),
        ms(result.readyMs.p50),
        ms(result.firstRequestMs?.p50),
        ms(result.firstRequestMs?.p90),
        ms(result.initPlusFirstMs?.p90),
        ms(result.initCpuMs.p50),
        ms(result.initPlusFirstCpuMs?.p50),
        calls(result.secretsManagerCalls),
        calls(result.dynamoDbCalls),
        result.lastAnswer === undefined ? '-' : String(result.lastAnswer.status),
        bundle === undefined ? '-' : topPackages(bundle),
      ];
    }),
  };
};
