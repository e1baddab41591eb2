import { decisionLog, type WorkloadRun } from './decision-log.js';
import type { LimiterContender, LimitSpec } from './limiter-contender.js';

export interface UnderLimitOptions {
  readonly keyPrefix: string;
  readonly keys: number;
  readonly limit: LimitSpec;
  readonly decisions: number;
  readonly concurrency: number;
  /** 1: all workers share one limiter instance. `concurrency`: one instance per worker. */
  readonly instances: number;
}

/** Many keys, each far below its limit, visited in turn by `concurrency` closed-loop workers. */
export const underLimitWorkload = async (
  contender: LimiterContender,
  options: UnderLimitOptions,
): Promise<WorkloadRun> => {
  const { keyPrefix, keys, limit, decisions, concurrency, instances } = options;
  const log = decisionLog(contender, limit);
  const shared = instances === 1 ? contender.instance(limit) : undefined;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const decide = shared ?? contender.instance(limit);
      for (let index = next++; index < decisions; index = next++) {
        await log.record(decide, `${keyPrefix}-${index % keys}`);
      }
    }),
  );
  return log.finish();
};
