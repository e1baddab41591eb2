/**
 * Growing back-off after failed logins, never a permanent lockout: an attacker who knows a username
 * can slow its owner down for at most `maxDelaySeconds`, and a streak is forgotten after
 * `resetAfterSeconds` without failures.
 */
export interface LoginThrottlePolicy {
  /** Failures allowed before any delay. */
  readonly freeAttempts: number;
  /** Delay after the first failure past the free ones; doubles with each further failure. */
  readonly baseDelaySeconds: number;
  readonly maxDelaySeconds: number;
  readonly resetAfterSeconds: number;
}

/**
 * Account-wide, whatever the address: short delays only (at most 30 s), so whoever fails against an
 * account cannot keep its owner out; it still caps guessing at about two a minute per account.
 */
export const defaultAccountPolicy: LoginThrottlePolicy = Object.freeze({
  freeAttempts: 5,
  baseDelaySeconds: 1,
  maxDelaySeconds: 30,
  resetAfterSeconds: 60 * 60,
});

/** One account from one address: the long back-off, felt only by the address that keeps failing. */
export const defaultAccountAtClientIpPolicy: LoginThrottlePolicy = Object.freeze({
  freeAttempts: 5,
  baseDelaySeconds: 1,
  maxDelaySeconds: 15 * 60,
  resetAfterSeconds: 60 * 60,
});

/** Per client IP: looser, because one address (an office, a carrier NAT) can carry many people. */
export const defaultClientIpPolicy: LoginThrottlePolicy = Object.freeze({
  freeAttempts: 20,
  baseDelaySeconds: 1,
  maxDelaySeconds: 15 * 60,
  resetAfterSeconds: 60 * 60,
});

/** Delay after the `failures`-th failure in a streak, in milliseconds (0 while attempts are free). */
export const backoffDelayMs = (policy: LoginThrottlePolicy, failures: number): number => {
  const over = failures - policy.freeAttempts;
  if (over <= 0) return 0;
  const seconds = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.min(over - 1, 30));
  return seconds * 1000;
};
