import { decisionLog, type WorkloadRun } from './decision-log.js';
import type { LimiterContender, LimitSpec } from './limiter-contender.js';

export interface BurstOptions {
  readonly key: string;
  readonly limit: LimitSpec;
  readonly decisions: number;
  /**
   * 1: every decision at once on one limiter instance. More: each instance (a Lambda instance with its
   * own cache) takes its share one decision at a time, all instances at once.
   */
  readonly instances: number;
  readonly fixedNowMs?: number;
}

/** `decisions` decisions on one fresh key, all offered at the same moment. */
export const burstWorkload = async (
  contender: LimiterContender,
  options: BurstOptions,
): Promise<WorkloadRun> => {
  const { key, limit, decisions, instances } = options;
  const instanceOptions = options.fixedNowMs === undefined ? {} : { fixedNowMs: options.fixedNowMs };
  const log = decisionLog(contender, limit);
  if (instances === 1) {
    const decide = contender.instance(limit, instanceOptions);
    await Promise.all(Array.from({ length: decisions }, () => log.record(decide, key)));
  } else {
    await Promise.all(
      Array.from({ length: instances }, async (_, index) => {
        const decide = contender.instance(limit, instanceOptions);
        for (let turn = index; turn < decisions; turn += instances) await log.record(decide, key);
      }),
    );
  }
  return log.finish();
};
