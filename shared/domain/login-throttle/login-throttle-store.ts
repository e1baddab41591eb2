export interface LoginFailureState {
  readonly failures: number;
  readonly blockedUntilMs: number;
}

/** Port for login failure counters. Implementations translate backend failures into RateLimitBackendError. */
export interface LoginThrottleStore {
  /** Strongly consistent read; undefined when the key has no streak. */
  readonly read: (key: string) => Promise<LoginFailureState | undefined>;
  /**
   * Counts one failure and returns the streak length: continues the streak when the previous failure is
   * newer than `streakStartMs`, otherwise starts a new one at 1. Atomic under concurrency.
   */
  readonly recordFailure: (request: {
    readonly key: string;
    readonly nowMs: number;
    readonly streakStartMs: number;
    readonly expiresAtSeconds: number;
  }) => Promise<number>;
  /** Moves `blockedUntilMs` forward to `untilMs`, never backwards. */
  readonly blockUntil: (request: {
    readonly key: string;
    readonly untilMs: number;
    readonly expiresAtSeconds: number;
  }) => Promise<void>;
  readonly clear: (key: string) => Promise<void>;
  /**
   * Takes the account's single attempt slot until `untilMs` unless another attempt holds it; false
   * when it is held. One conditional write, so parallel guesses cannot all pass the check at once.
   */
  readonly acquireAttempt: (request: {
    readonly key: string;
    readonly nowMs: number;
    readonly untilMs: number;
    readonly expiresAtSeconds: number;
  }) => Promise<boolean>;
  readonly releaseAttempt: (key: string) => Promise<void>;
}
