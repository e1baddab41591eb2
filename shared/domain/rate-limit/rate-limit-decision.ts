import type { RateLimitPolicy } from './rate-limit-policy.js';

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly policy: RateLimitPolicy;
  /** Requests still allowed right now after this decision. */
  readonly remaining: number;
  /** Seconds until the quota is whole again (RateLimit `t`). */
  readonly resetSeconds: number;
  /** Whole seconds, at least 1, when rejected. */
  readonly retryAfterSeconds: number | undefined;
  /**
   * `cache`: rejected in process from a state that proves the key is over its limit. `lease`: admitted
   * in process from requests this instance already took from the window (ADR 0005, hot keys).
   */
  readonly source: 'backend' | 'cache' | 'lease';
  /** DynamoDB calls this decision made (0 for cache rejects). */
  readonly backendCalls: number;
  /** A guard (a revocation marker) was present: nothing was spent and the credential must be refused. */
  readonly guardFailed: boolean;
  /**
   * The record the decision was kept on (an API key's) changed since it was verified: nothing was
   * spent; verify the credential again and decide anew (ADR 0005, API-key requests).
   */
  readonly recordChanged?: boolean;
}

export const wholeSecondsAtLeastOne = (milliseconds: number): number =>
  Math.max(1, Math.ceil(milliseconds / 1000));
export const wholeSeconds = (milliseconds: number): number => Math.max(0, Math.ceil(milliseconds / 1000));
