import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionEntry } from '../../shared/routes/route-table.js';
import { baselineEntry, baselineId } from '../baseline/baseline-fixture.js';
import { bundleEntry, deployedFunctionIds, type FunctionBundle } from '../build-function-bundles.js';
import { startColdStartStack } from './cold-start-stack.js';
import { type ColdStartResult, type ColdStartTarget, measureColdStarts } from './measure-cold-starts.js';

/**
 * The bench's settings, also quoted in the docs section. 40 runs: with 20, a function's p50 ratio moved by
 * about ±0.04 from run to run on a quiet machine, as wide as the margin the targets are judged by.
 */
export const coldStartSettings = { runs: 40, warmupRuns: 1 } as const;

/** The row that imports an empty file: Node's own floor. */
export const emptyModuleId = '(empty module)';

export interface ColdStartBenchResult {
  /** The baseline's bundle first, then every function's in route-table order. */
  readonly bundles: readonly FunctionBundle[];
  /** Every target's figures: the empty module, the baseline, then the functions. */
  readonly results: readonly ColdStartResult[];
  readonly elapsedS: number;
}

/**
 * Bundles the hand-written baseline and every function with the same esbuild call, then times each
 * one's cold start (module init, then its first request) in fresh processes, all in one run against
 * one set of local stand-ins, so their ratios compare like with like.
 */
export const measureColdStart = async (
  projectRoot: string,
  progress: (line: string) => void,
): Promise<ColdStartBenchResult> => {
  const started = performance.now();
  const at = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const workDir = await mkdtemp(join(tmpdir(), 'bulwark-cold-start-'));
  try {
    const outDir = join(workDir, 'bundles');
    const bundles = [
      await bundleEntry(projectRoot, baselineId, baselineEntry, outDir, { asBulwarkFunction: false }),
    ];
    for (const id of deployedFunctionIds())
      bundles.push(await bundleEntry(projectRoot, id, functionEntry(id), outDir));
    const emptyModule = join(workDir, 'empty.mjs');
    await writeFile(emptyModule, '');
    progress(`   ${bundles.length} bundles built at ${at()}; starting DynamoDB Local and the stand-ins...`);

    const stack = await startColdStartStack(workDir);
    try {
      const targets: ColdStartTarget[] = [
        { id: emptyModuleId, file: emptyModule },
        ...bundles.map((bundle) => ({
          id: bundle.id,
          file: bundle.outfile,
          env: { AWS_LAMBDA_FUNCTION_NAME: `bulwark-bench-${bundle.id}` },
          request: stack.requestFor(bundle.id),
        })),
      ];
      progress(
        `   stack up at ${at()}; ${coldStartSettings.warmupRuns} warm-up round, then ` +
          `${coldStartSettings.runs} runs of ${targets.length} cold starts...`,
      );
      const results = await measureColdStarts(workDir, targets, stack.environment, {
        ...coldStartSettings,
        counters: stack.counters,
        progress: (line) => progress(`${line} at ${at()}`),
      });
      return { bundles, results, elapsedS: (performance.now() - started) / 1000 };
    } finally {
      await stack.stop();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
};
