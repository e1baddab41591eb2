import { type RateLimitDecision, wholeSeconds, wholeSecondsAtLeastOne } from './rate-limit-decision.js';
import type { RateLimitPolicy } from './rate-limit-policy.js';

type FixedWindowPolicy = Extract<RateLimitPolicy, { kind: 'fixed_window' }>;

/** Windows aligned to the epoch, so every instance agrees on where a window starts. */
export const fixedWindowMath = (policy: FixedWindowPolicy) => {
  const windowMs = policy.windowSeconds * 1000;
  return {
    windowStartMs: (nowMs: number): number => Math.floor(nowMs / windowMs) * windowMs,
    expiresAtSeconds: (windowStartMs: number): number => Math.ceil((windowStartMs + windowMs) / 1000) + 60,
    decision: (
      policyRef: RateLimitPolicy,
      allowed: boolean,
      count: number,
      nowMs: number,
      source: RateLimitDecision['source'],
      backendCalls: number,
    ): RateLimitDecision => {
      const untilNextWindowMs = Math.floor(nowMs / windowMs) * windowMs + windowMs - nowMs;
      return {
        allowed,
        policy: policyRef,
        remaining: Math.max(0, policy.requests - count),
        resetSeconds: wholeSeconds(untilNextWindowMs),
        retryAfterSeconds: allowed ? undefined : wholeSecondsAtLeastOne(untilNextWindowMs),
        source,
        backendCalls,
        guardFailed: false,
      };
    },
  };
};
