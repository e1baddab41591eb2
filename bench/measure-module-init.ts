import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { percentile } from './latency-stats.js';

const run = promisify(execFile);

/** Runs in the child: times the dynamic import of the bundle named on the command line. */
const probeSource = `const start = performance.now();
await import(process.argv[2]);
const end = performance.now();
process.stdout.write(JSON.stringify({ importMs: end - start, readyMs: end }));
`;

export interface InitTarget {
  readonly id: string;
  readonly file: string;
}

export interface ModuleInitResult {
  readonly id: string;
  readonly samples: number;
  /** From the first line of the probe to the end of `await import(bundle)`. */
  readonly importP50Ms: number;
  readonly importP90Ms: number;
  /** From process start (performance.timeOrigin) to the end of the import: Node bootstrap included. */
  readonly readyP50Ms: number;
  readonly readyP90Ms: number;
}

interface ProbeOutput {
  readonly importMs: number;
  readonly readyMs: number;
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const p90 = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.9,
  );

/**
 * Spawns `node` (this process's binary) `runs` times per target, one child at a time, targets
 * interleaved per run so machine drift hits all of them alike. A child that fails is a real error.
 */
export const measureModuleInit = async (
  workDir: string,
  targets: readonly InitTarget[],
  env: Readonly<Record<string, string>>,
  runs: number,
): Promise<ModuleInitResult[]> => {
  const probe = join(workDir, 'init-probe.mjs');
  await writeFile(probe, probeSource);
  const outputs = new Map<string, ProbeOutput[]>(targets.map((target) => [target.id, []]));
  for (let index = 0; index < runs; index += 1) {
    for (const target of targets) {
      const { stdout } = await run(process.execPath, [probe, pathToFileURL(target.file).href], {
        cwd: workDir,
        env: { ...env },
        timeout: 30_000,
      });
      const lastLine = stdout.trim().split('\n').at(-1) ?? '';
      let parsed: ProbeOutput;
      try {
        parsed = JSON.parse(lastLine) as ProbeOutput;
      } catch {
        throw new Error(`init probe for ${target.id} printed no timing; stdout: ${stdout.slice(0, 500)}`);
      }
      outputs.get(target.id)?.push(parsed);
    }
  }
  return targets.map((target) => {
    const samples = outputs.get(target.id) ?? [];
    const imports = samples.map((sample) => sample.importMs);
    const ready = samples.map((sample) => sample.readyMs);
    return {
      id: target.id,
      samples: samples.length,
      importP50Ms: median(imports),
      importP90Ms: p90(imports),
      readyP50Ms: median(ready),
      readyP90Ms: p90(ready),
    };
  });
};
