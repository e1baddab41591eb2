import { setTimeout as sleep } from 'node:timers/promises';
import { decisionLog, type WorkloadRun } from './decision-log.js';
import type { LimiterContender, LimitSpec } from './limiter-contender.js';

export interface SteadyOptions {
  readonly key: string;
  readonly limit: LimitSpec;
  /** Decisions started together at each tick. */
  readonly batch: number;
  readonly everyMs: number;
  readonly durationMs: number;
}

/**
 * Open loop at a fixed pace on one key and one limiter instance: a batch starts every `everyMs`
 * whether or not the previous ones finished, for `durationMs`.
 */
export const steadyWorkload = async (
  contender: LimiterContender,
  options: SteadyOptions,
): Promise<WorkloadRun> => {
  const { key, limit, batch, everyMs, durationMs } = options;
  const log = decisionLog(contender, limit);
  const decide = contender.instance(limit);
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let tick = 0; tick * everyMs < durationMs; tick += 1) {
    const waitMs = started + tick * everyMs - performance.now();
    if (waitMs > 0) await sleep(waitMs);
    for (let index = 0; index < batch; index += 1) pending.push(log.record(decide, key));
  }
  await Promise.all(pending);
  return log.finish();
};
