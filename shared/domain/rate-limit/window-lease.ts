/**
 * Leases for hot fixed-window keys. One conditional write takes `take` requests from the window at
 * once (they are counted in DynamoDB before any is spent, so leasing never admits more than the
 * window allows); the instance then spends them in process. What a lease can cost is requests that go
 * unspent (taken but never used before the lease ends): an under-admission, never an over-admission.
 */
export interface LeasingOptions {
  /**
   * Longest a leased request may wait in process to be spent, in ms; a lease also ends with its
   * window. Leases only serve decisions with no revocation guard, so this is also the longest any
   * change could take to reach a leased key (none does today: see ADR 0005).
   */
  readonly lifetimeMs: number;
  /** Window quotas below this are never leased: every decision is one exact write. */
  readonly minQuota: number;
  /** How long one lease should last at the key's observed rate in this instance, in ms. */
  readonly targetMs: number;
  /** No lease takes more than this share of the window's quota (1 / divisor). */
  readonly quotaDivisor: number;
}

export const defaultLeasingOptions: LeasingOptions = {
  lifetimeMs: 1_000,
  minQuota: 1_000,
  targetMs: 100,
  quotaDivisor: 50,
};

/** What one instance holds for one key: the current lease and the rate it observed. */
export interface LeaseState {
  /** Start of the window the lease was taken in. */
  readonly windowStartMs: number;
  /** Leased requests not yet spent. */
  tokens: number;
  readonly takenAtMs: number;
  readonly taken: number;
  readonly endsAtMs: number;
  /** The window's stored count after the lease (a lower bound of the current one). */
  readonly storedCount: number;
}

/**
 * How many requests the next write should take: the key's rate in this instance times the target
 * lease duration, at least the requests already waiting for it, at most the quota's share. 1 means no
 * lease (one exact write for one request). With no recent lease the rate is unknown and the write
 * takes only what is waiting, so a key becomes leased only once one instance sees it busy.
 */
export const nextLeaseSize = (input: {
  readonly previous: LeaseState | undefined;
  readonly nowMs: number;
  readonly waiting: number;
  readonly quota: number;
  readonly options: LeasingOptions;
}): number => {
  const { previous, nowMs, waiting, quota, options } = input;
  const ratePerMs = observedRatePerMs(previous, nowMs, options.lifetimeMs);
  const wanted = Math.max(waiting, Math.ceil(ratePerMs * options.targetMs));
  const most = Math.max(1, Math.floor(quota / options.quotaDivisor));
  return Math.max(1, Math.min(wanted, most));
};

/**
 * The rate the last lease was spent at: the requests it served over the time it lasted (at least 1 ms).
 * A lease that ended longer than `forgetAfterMs` ago says nothing about now: rate 0.
 */
export const observedRatePerMs = (
  previous: LeaseState | undefined,
  nowMs: number,
  forgetAfterMs: number,
): number => {
  if (previous === undefined || nowMs - previous.endsAtMs > forgetAfterMs) return 0;
  const served = previous.taken - previous.tokens;
  const lastedMs = Math.max(1, Math.min(nowMs, previous.endsAtMs) - previous.takenAtMs);
  return served / lastedMs;
};
