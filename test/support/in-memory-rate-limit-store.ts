import type { RateLimitStore } from '../../shared/domain/rate-limit/rate-limit-store.js';

/**
 * The RateLimitStore contract in memory, for unit tests of routes and the chain. Single-threaded, so each
 * call is trivially atomic; it mirrors the DynamoDB adapter's conditions, including what a transaction
 * cannot return (no value after a guarded admit). test/unit/rate-limit/rate-limit-store-contract.ts runs
 * the same cases against it and against DynamoDB Local, so it cannot drift. `guardExists` answers
 * whether a revocation marker exists (the test runtime wires the in-memory session store).
 */
export const inMemoryRateLimitStore = (
  guardExists: (key: string) => Promise<boolean> | boolean = () => false,
): RateLimitStore => {
  const values = new Map<string, number>();
  const anyGuardExists = async (keys: readonly string[]): Promise<boolean> => {
    for (const key of keys) if (await guardExists(key)) return true;
    return false;
  };
  /** Applies a write unless a guard exists; a guarded admit returns no value, as a transaction does. */
  const write = async (
    mustNotExist: readonly string[] | undefined,
    decide: (current: number | undefined) => number | undefined,
    key: string,
  ) => {
    const guarded = (mustNotExist?.length ?? 0) > 0;
    if (guarded && (await anyGuardExists(mustNotExist ?? [])))
      return { admitted: false, value: undefined, guardFailed: true };
    const current = values.get(key);
    const next = decide(current);
    if (next === undefined) return { admitted: false, value: current, guardFailed: false };
    values.set(key, next);
    return { admitted: true, value: guarded ? undefined : next, guardFailed: false };
  };
  return {
    anyGuardExists,
    consumeTokenBucket: ({ key, assume, nowMs, intervalMs, toleranceMs, mustNotExist }) =>
      write(
        mustNotExist,
        (tat) => {
          if (assume === 'idle') return tat === undefined || tat <= nowMs ? nowMs + intervalMs : undefined;
          if (tat === undefined) return nowMs + intervalMs;
          return tat > nowMs && tat <= nowMs + toleranceMs ? tat + intervalMs : undefined;
        },
        key,
      ),
    consumeFixedWindow: async ({ key, limit, take = 1, mustNotExist }) => {
      if (!Number.isInteger(take) || take < 1 || take > limit)
        throw new TypeError('take must be a whole number from 1 to the limit');
      return write(
        mustNotExist,
        (count) => ((count ?? 0) + take <= limit ? (count ?? 0) + take : undefined),
        key,
      );
    },
  };
};
