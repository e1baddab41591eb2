/**
 * The token bucket's arithmetic (GCRA): interval and tolerance from the policy, when a stored TAT
 * proves a reject, what an admitted or rejected decision reports, and how long an item must live.
 */
import { describe, expect, it } from 'vitest';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';
import { tokenBucketMath } from '../../../shared/domain/rate-limit/token-bucket.js';

const now = 1_000_000;
/** 5 at once, then one every 2 s. */
const policy = { kind: 'token_bucket', burst: 5, perSeconds: 10 } as const satisfies RateLimitPolicy;
const math = tokenBucketMath(policy);

describe('tokenBucketMath', () => {
  it('spaces requests perSeconds / burst apart and tolerates burst - 1 of them ahead', () => {
    expect(math.intervalMs).toBe(2_000);
    expect(math.toleranceMs).toBe(8_000);
  });

  it('rounds the interval up to whole milliseconds, so integer state never admits more than the policy', () => {
    const thirds = tokenBucketMath({ kind: 'token_bucket', burst: 3, perSeconds: 10 });
    expect(thirds.intervalMs).toBe(3_334);
    expect(thirds.toleranceMs).toBe(6_668);
  });

  it('proves a reject only for a TAT beyond now + tolerance', () => {
    expect(math.provesReject(now + 8_000, now)).toBe(false);
    expect(math.provesReject(now + 8_001, now)).toBe(true);
    expect(math.provesReject(now - 1, now)).toBe(false);
  });

  it('keeps an item a minute beyond the time a bucket spent now would be full again', () => {
    expect(math.expiresAtSeconds(now)).toBe(Math.ceil((now + 10_000) / 1000) + 60);
    expect(math.expiresAtSeconds(1_500)).toBe(12 + 60);
  });

  describe('an admitted decision', () => {
    it('reports the tokens left and the seconds until the bucket is full again', () => {
      expect(math.admitted(policy, now + 2_000, now, 1)).toEqual({
        allowed: true,
        policy,
        remaining: 4,
        resetSeconds: 2,
        retryAfterSeconds: undefined,
        source: 'backend',
        backendCalls: 1,
        guardFailed: false,
      });
      expect(math.admitted(policy, now + 10_000, now, 2)).toMatchObject({
        remaining: 0,
        resetSeconds: 10,
        backendCalls: 2,
      });
    });

    it('counts a partly refilled token as not yet there and rounds the reset up', () => {
      expect(math.admitted(policy, now + 3_500, now, 1)).toMatchObject({ remaining: 3, resetSeconds: 4 });
    });

    it('never reports more than burst tokens or fewer than none, whatever TAT it is given', () => {
      expect(math.admitted(policy, now - 60_000, now, 1)).toMatchObject({ remaining: 5, resetSeconds: 0 });
      expect(math.admitted(policy, now + 60_000, now, 1)).toMatchObject({ remaining: 0 });
    });
  });

  describe('a rejected decision', () => {
    it('says when the next token arrives (at least 1 s) and when the bucket is full again', () => {
      expect(math.rejected(policy, now + 10_000, now, 'backend', 1)).toEqual({
        allowed: false,
        policy,
        remaining: 0,
        resetSeconds: 10,
        retryAfterSeconds: 2,
        source: 'backend',
        backendCalls: 1,
        guardFailed: false,
      });
      expect(math.rejected(policy, now + 8_001, now, 'cache', 0)).toMatchObject({
        retryAfterSeconds: 1,
        resetSeconds: 9,
        source: 'cache',
        backendCalls: 0,
      });
    });

    it('rounds Retry-After up, so a client that waits it out is admitted', () => {
      expect(math.rejected(policy, now + 11_500, now, 'backend', 1).retryAfterSeconds).toBe(4);
    });

    it('never says a negative reset or a Retry-After below 1 s', () => {
      expect(math.rejected(policy, now - 5_000, now, 'backend', 1)).toMatchObject({
        resetSeconds: 0,
        retryAfterSeconds: 1,
      });
    });
  });
});
