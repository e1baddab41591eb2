/**
 * Port for the limiter's state. Each call is exactly one conditional write. With `mustNotExist`, the
 * write and a check that each of those keys is absent (revocation markers) commit together or not at
 * all, so a revoked credential spends nothing.
 */
export interface RateLimitStore {
  /**
   * Admits iff the bucket's TAT allows it. `assume` picks the write: `idle` (no item, or TAT in the
   * past: TAT := now + interval) or `busy` (no item: TAT := now + interval; TAT in the future:
   * TAT := TAT + interval). Both writes are right for a missing item, so the only wrong guesses are
   * `idle` on a busy bucket and `busy` on an idle one; a wrong guess fails its condition like a reject
   * does, and the returned TAT tells the engine which it was.
   */
  readonly consumeTokenBucket: (request: {
    readonly key: string;
    readonly assume: 'idle' | 'busy';
    readonly nowMs: number;
    readonly intervalMs: number;
    readonly toleranceMs: number;
    readonly expiresAtSeconds: number;
    readonly mustNotExist?: readonly string[];
    /** Keep the bucket on this record (`key` is then its slot there) and prove the record current. */
    readonly record?: RecordProof;
  }) => Promise<ConsumeResult>;

  readonly anyGuardExists: GuardLookup;

  /**
   * Whether the record is still at `version`, not revoked and not expired at `nowMs` (one strongly
   * consistent read): the proof for a decision on a record that made no write (a reject proven from
   * cached state, a request spent from a lease). Needed only by stores that keep state on records.
   */
  readonly recordIsCurrent?: (record: RecordProof) => Promise<boolean>;

  /**
   * Admits iff the window's count plus `take` is at most `limit`, adding `take`; returns the count
   * after (or at) the decision. `take` (default 1) above 1 is a lease: that many requests taken from
   * the window at once, to be spent in process (never more than the window allows).
   */
  readonly consumeFixedWindow: (request: {
    readonly key: string;
    readonly limit: number;
    readonly take?: number;
    readonly expiresAtSeconds: number;
    readonly mustNotExist?: readonly string[];
    /**
     * Keep the window on this record (`key` is then its slot there, which holds one window at a time:
     * `windowStartMs` names it) and prove the record current in the same write.
     */
    readonly record?: RecordProof & { readonly windowStartMs: number };
  }) => Promise<ConsumeResult>;
}

/**
 * The record a principal's limiter state is kept on (an API key's, ADR 0005): the write goes to that
 * item, and its condition also proves the record is still at `version` (every change to a key moves it),
 * not revoked and not expired at `nowMs`. One item, one conditional write, no transaction.
 */
export interface RecordProof {
  readonly id: string;
  readonly version: number;
  readonly nowMs: number;
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
  /**
   * With a record proof: the record is no longer the one proven (changed, revoked, expired or gone), so
   * nothing was written and the caller must read it again before deciding.
   */
  readonly recordChanged?: boolean;
  /** Round trips this call made when more than one (a record's window slot may need a second write). */
  readonly calls?: number;
}

/** The store could not decide: throttling, timeout, network or 5xx. Never a failed condition. */
export class RateLimitBackendError extends Error {
  readonly code = 'ERR_RATE_LIMIT_BACKEND';

  constructor(cause: unknown) {
    super('rate limit backend unavailable', { cause });
    this.name = 'RateLimitBackendError';
  }
}
