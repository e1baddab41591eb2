/**
 * Port for the limiter's state. Each call is exactly one conditional write. With `mustNotExist`, the
 * write and a check that each of those keys is absent (revocation markers) commit together or not at
 * all, so a revoked credential spends nothing.
 */
export interface RateLimitStore {
  /**
   * Admits iff the bucket's TAT allows it. `assume` picks the write: `idle` (no item, or TAT in the
   * past: TAT := now + interval) or `busy` (TAT in the future: TAT := TAT + interval). A wrong guess
   * fails its condition like a reject does; the returned TAT tells the engine which it was.
   */
  readonly consumeTokenBucket: (request: {
    readonly key: string;
    readonly assume: 'idle' | 'busy';
    readonly nowMs: number;
    readonly intervalMs: number;
    readonly toleranceMs: number;
    readonly expiresAtSeconds: number;
    readonly mustNotExist?: readonly string[];
  }) => Promise<ConsumeResult>;

  /** Admits iff the window's count is below `limit`; returns the count after (or at) the decision. */
  readonly anyGuardExists: GuardLookup;

  readonly consumeFixedWindow: (request: {
    readonly key: string;
    readonly limit: number;
    readonly expiresAtSeconds: number;
    readonly mustNotExist?: readonly string[];
  }) => Promise<ConsumeResult>;
}

/**
 * Whether any of `keys` (revocation markers) exists, by strongly consistent reads. For a decision that
 * is settled without a write (a reject proven from cached state), so a revoked credential still gets
 * its 401 instead of a 429.
 */
export type GuardLookup = (keys: readonly string[]) => Promise<boolean>;

/**
 * `value` is the stored state after an admit, or at a reject (TAT or count); undefined when unknown:
 * no item, or an admit made in a transaction, which returns no values. `guardFailed`: one of the
 * `mustNotExist` keys exists (a revoked session), so nothing was written.
 */
export interface ConsumeResult {
  readonly admitted: boolean;
  readonly value: number | undefined;
  readonly guardFailed: boolean;
}

/** The store could not decide: throttling, timeout, network or 5xx. Never a failed condition. */
export class RateLimitBackendError extends Error {
  readonly code = 'ERR_RATE_LIMIT_BACKEND';

  constructor(cause: unknown) {
    super('rate limit backend unavailable', { cause });
    this.name = 'RateLimitBackendError';
  }
}
