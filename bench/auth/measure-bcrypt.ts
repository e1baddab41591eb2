import bcrypt from 'bcryptjs';
import { percentile } from '../latency-stats.js';

export interface BcryptCostResult {
  readonly cost: number;
  readonly runs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface BcryptOptions {
  readonly costs: readonly number[];
  /** Measured compares per cost, after one warm-up compare each. */
  readonly runs: number;
}

const password = 'correct horse battery staple 42';

/**
 * `bcrypt.compare` of the right password against a hash at each cost: the CPU a successful login
 * spends (the login function's `verifyPassword`), the same as an unknown user's compare against the
 * dummy hash. Costs are interleaved run by run so drifting machine load hits them alike.
 */
export const measureBcrypt = async (options: BcryptOptions): Promise<BcryptCostResult[]> => {
  const hashes = new Map<number, string>();
  for (const cost of options.costs) {
    const hash = await bcrypt.hash(password, cost);
    if (!(await bcrypt.compare(password, hash))) throw new Error(`bcrypt cost ${cost}: compare failed`);
    hashes.set(cost, hash);
  }
  const samples = new Map<number, number[]>(options.costs.map((cost) => [cost, []]));
  for (let run = 0; run < options.runs; run += 1) {
    for (const cost of options.costs) {
      const hash = hashes.get(cost) ?? '';
      const started = performance.now();
      const matches = await bcrypt.compare(password, hash);
      const elapsedMs = performance.now() - started;
      if (!matches) throw new Error(`bcrypt cost ${cost}: compare failed`);
      samples.get(cost)?.push(elapsedMs);
    }
  }
  return options.costs.map((cost) => {
    const sorted = Float64Array.from(samples.get(cost) ?? []).sort();
    return {
      cost,
      runs: sorted.length,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      minMs: sorted[0] ?? Number.NaN,
      maxMs: sorted.at(-1) ?? Number.NaN,
    };
  });
};
