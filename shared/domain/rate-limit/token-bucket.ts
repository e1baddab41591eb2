import { type RateLimitDecision, wholeSeconds, wholeSecondsAtLeastOne } from './rate-limit-decision.js';
import type { RateLimitPolicy } from './rate-limit-policy.js';

type TokenBucketPolicy = Extract<RateLimitPolicy, { kind: 'token_bucket' }>;

/**
 * The token bucket as GCRA: the whole state is one number, the theoretical arrival time (TAT) of the
 * next request. A request at `now` is admitted iff `TAT <= now + tolerance`, and moves TAT to
 * `max(TAT, now) + interval`. TAT never decreases, which is what lets a cached TAT prove a reject.
 * The interval is rounded up to whole milliseconds so integer state never over-admits.
 */
export const tokenBucketMath = (policy: TokenBucketPolicy) => {
  const intervalMs = Math.ceil((policy.perSeconds * 1000) / policy.burst);
  const toleranceMs = (policy.burst - 1) * intervalMs;
  const fullMs = policy.burst * intervalMs;
  return {
    intervalMs,
    toleranceMs,
    /** Expiry for the item: once `now` passes TAT the bucket is full and the item carries nothing. */
    expiresAtSeconds: (nowMs: number): number => Math.ceil((nowMs + fullMs) / 1000) + 60,
    provesReject: (tatMs: number, nowMs: number): boolean => tatMs > nowMs + toleranceMs,
    admitted: (
      policyRef: RateLimitPolicy,
      tatMs: number,
      nowMs: number,
      backendCalls: number,
    ): RateLimitDecision => ({
      allowed: true,
      policy: policyRef,
      remaining: Math.max(0, Math.min(policy.burst, Math.floor((nowMs + fullMs - tatMs) / intervalMs))),
      resetSeconds: wholeSeconds(tatMs - nowMs),
      retryAfterSeconds: undefined,
      source: 'backend',
      backendCalls,
      guardFailed: false,
    }),
    rejected: (
      policyRef: RateLimitPolicy,
      tatMs: number,
      nowMs: number,
      source: 'backend' | 'cache',
      backendCalls: number,
    ): RateLimitDecision => ({
      allowed: false,
      policy: policyRef,
      remaining: 0,
      resetSeconds: wholeSeconds(tatMs - nowMs),
      retryAfterSeconds: wholeSecondsAtLeastOne(tatMs - toleranceMs - nowMs),
      source,
      backendCalls,
      guardFailed: false,
    }),
  };
};
