/**
 * The fixed window's arithmetic: windows aligned to the epoch (so every instance agrees), what a
 * decision reports, and how long a window's item must live.
 */
import { describe, expect, it } from 'vitest';
import { fixedWindowMath } from '../../../shared/domain/rate-limit/fixed-window.js';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';

const policy = { kind: 'fixed_window', requests: 10, windowSeconds: 60 } as const satisfies RateLimitPolicy;
const math = fixedWindowMath(policy);
const windowStart = Date.UTC(2030, 0, 7, 12, 0, 0);

describe('fixedWindowMath', () => {
  it('starts windows at multiples of the window length since the epoch', () => {
    expect(math.windowStartMs(windowStart)).toBe(windowStart);
    expect(math.windowStartMs(windowStart + 59_999)).toBe(windowStart);
    expect(math.windowStartMs(windowStart + 60_000)).toBe(windowStart + 60_000);
    expect(math.windowStartMs(windowStart - 1)).toBe(windowStart - 60_000);
  });

  it("keeps a window's item a minute beyond its end", () => {
    expect(math.expiresAtSeconds(windowStart)).toBe((windowStart + 60_000) / 1000 + 60);
    expect(fixedWindowMath({ ...policy, windowSeconds: 1 }).expiresAtSeconds(1_500)).toBe(3 + 60);
  });

  it('reports an admitted request with what is left of the window and when it ends', () => {
    expect(math.decision(policy, true, 3, windowStart + 15_000, 'backend', 1)).toEqual({
      allowed: true,
      policy,
      remaining: 7,
      resetSeconds: 45,
      retryAfterSeconds: undefined,
      source: 'backend',
      backendCalls: 1,
      guardFailed: false,
    });
  });

  it('reports a rejected request with Retry-After until the next window, at least 1 s', () => {
    expect(math.decision(policy, false, 10, windowStart + 45_000, 'cache', 0)).toEqual({
      allowed: false,
      policy,
      remaining: 0,
      resetSeconds: 15,
      retryAfterSeconds: 15,
      source: 'cache',
      backendCalls: 0,
      guardFailed: false,
    });
    expect(math.decision(policy, false, 10, windowStart + 59_999, 'backend', 1)).toMatchObject({
      resetSeconds: 1,
      retryAfterSeconds: 1,
    });
  });

  it('rounds the seconds until the next window up', () => {
    expect(math.decision(policy, false, 10, windowStart + 45_500, 'backend', 1)).toMatchObject({
      resetSeconds: 15,
      retryAfterSeconds: 15,
    });
  });

  it('never reports a negative number of requests left', () => {
    expect(math.decision(policy, false, 12, windowStart, 'backend', 1).remaining).toBe(0);
  });
});
