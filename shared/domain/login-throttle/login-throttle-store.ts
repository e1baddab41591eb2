export interface LoginFailureState {
  readonly failures: number;
  readonly blockedUntilMs: number;
  /** When the streak last counted a failure (or, for a client address, an attempt); 0 when unknown. */
  readonly lastFailureMs: number;
}

/**
 * A conditional write's outcome: applied with the state after it, or refused with the state that
 * refused it (undefined when the key has no item).
 */
export type ConditionalStreakWrite =
  | { readonly applied: true; readonly state: LoginFailureState }
  | { readonly applied: false; readonly state: LoginFailureState | undefined };

/** Port for login failure counters. Implementations translate backend failures into RateLimitBackendError. */
export interface LoginThrottleStore {
  /** Strongly consistent read; undefined when the key has no streak. */
  readonly read: (key: string) => Promise<LoginFailureState | undefined>;
  /**
   * Strongly consistent reads of several keys in one call (one snapshot), in the order given;
   * undefined for a key with no streak.
   */
  readonly readAll: (keys: readonly string[]) => Promise<readonly (LoginFailureState | undefined)[]>;
  /**
   * Counts one failure and returns the streak length: continues the streak when the previous failure is
   * newer than `streakStartMs`, otherwise starts a new one at 1. Atomic under concurrency.
   */
  readonly recordFailure: (request: {
    readonly key: string;
    readonly nowMs: number;
    readonly streakStartMs: number;
    readonly expiresAtSeconds: number;
    /**
     * Whether the caller last saw a streak running (default true): picks which conditional write is
     * tried first, so the usual case is one write. A stale hint costs one more write, never a count.
     */
    readonly streakRunning?: boolean;
  }) => Promise<number>;
  /** Moves `blockedUntilMs` forward to `untilMs`, never backwards. */
  readonly blockUntil: (request: {
    readonly key: string;
    readonly untilMs: number;
    readonly expiresAtSeconds: number;
  }) => Promise<void>;
  /** Deletes the key's item: its streak and, for an account, its attempt slot. */
  readonly clear: (key: string) => Promise<void>;

  /**
   * Charging an attempt to a streak before its password is checked, in three conditional writes the
   * domain chooses between (see createLoginThrottle): count one more while the running streak is under
   * `freeAttempts`; start a new streak at 1 when there is none running; or, past the free attempts,
   * count one more and set a block, only if the count is still `expectedFailures` and no block stands.
   */
  readonly countFreeAttempt: (request: {
    readonly key: string;
    readonly nowMs: number;
    readonly streakStartMs: number;
    readonly freeAttempts: number;
    readonly expiresAtSeconds: number;
  }) => Promise<ConditionalStreakWrite>;
  readonly restartStreak: (request: {
    readonly key: string;
    readonly nowMs: number;
    readonly streakStartMs: number;
    readonly expiresAtSeconds: number;
  }) => Promise<ConditionalStreakWrite>;
  readonly countBlockedAttempt: (request: {
    readonly key: string;
    readonly nowMs: number;
    readonly streakStartMs: number;
    readonly expectedFailures: number;
    readonly blockedUntilMs: number;
    readonly expiresAtSeconds: number;
  }) => Promise<ConditionalStreakWrite>;
  /**
   * Takes one charged attempt back (it turned out not to be a failure): one less in the count, and the
   * block it set lifted if that block still stands unchanged.
   */
  readonly refundAttempt: (request: {
    readonly key: string;
    readonly blockedUntilMs: number | undefined;
  }) => Promise<void>;

  /**
   * Takes the account's single attempt slot for `owner` until `untilMs` unless another attempt holds
   * it; false when it is held. One conditional write, so parallel guesses cannot all pass at once.
   */
  readonly acquireAttempt: (request: {
    readonly key: string;
    readonly owner: string;
    readonly nowMs: number;
    readonly untilMs: number;
    readonly expiresAtSeconds: number;
  }) => Promise<boolean>;
  /** Releases the slot only if `owner` still holds it: a lapsed attempt never frees a newer one's slot. */
  readonly releaseAttempt: (request: { readonly key: string; readonly owner: string }) => Promise<void>;
}
