/**
 * Rate-limit policies: the bounds every written policy is checked against (API-key records, the route
 * table's policies), and the names and numbers derived from a policy. The schema is built once per module, so
 * each test loads the module afresh (test/support/import-fresh.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RateLimitPolicy } from '../../../shared/domain/rate-limit/rate-limit-policy.js';
import { securedFunctions } from '../../../shared/routes/route-table.js';
import { importFresh } from '../../support/import-fresh.js';

type PolicyModule = typeof import('../../../shared/domain/rate-limit/rate-limit-policy.js');
let policies: PolicyModule;
beforeEach(async () => {
  policies = await importFresh(
    new URL('../../../shared/domain/rate-limit/rate-limit-policy.js', import.meta.url),
  );
});

const week = 7 * 24 * 60 * 60;

describe('rateLimitPolicySchema', () => {
  it('accepts a token bucket and a fixed window at their bounds', () => {
    for (const policy of [
      { kind: 'token_bucket', burst: 1, perSeconds: 1 },
      { kind: 'token_bucket', burst: 1_000_000, perSeconds: week },
      { kind: 'fixed_window', requests: 1, windowSeconds: 1 },
      { kind: 'fixed_window', requests: 1_000_000, windowSeconds: week },
    ]) {
      expect(policies.rateLimitPolicySchema().parse(policy)).toEqual(policy);
    }
  });

  it.each([
    ['a burst of 0', { kind: 'token_bucket', burst: 0, perSeconds: 60 }],
    ['a burst over a million', { kind: 'token_bucket', burst: 1_000_001, perSeconds: 60 }],
    ['a fractional burst', { kind: 'token_bucket', burst: 1.5, perSeconds: 60 }],
    ['a period of 0', { kind: 'token_bucket', burst: 5, perSeconds: 0 }],
    ['a period over a week', { kind: 'token_bucket', burst: 5, perSeconds: week + 1 }],
    ['a fractional period', { kind: 'token_bucket', burst: 5, perSeconds: 0.5 }],
    ['0 requests', { kind: 'fixed_window', requests: 0, windowSeconds: 60 }],
    ['over a million requests', { kind: 'fixed_window', requests: 1_000_001, windowSeconds: 60 }],
    ['fractional requests', { kind: 'fixed_window', requests: 2.5, windowSeconds: 60 }],
    ['a window of 0', { kind: 'fixed_window', requests: 5, windowSeconds: 0 }],
    ['a window over a week', { kind: 'fixed_window', requests: 5, windowSeconds: week + 1 }],
    ['a fractional window', { kind: 'fixed_window', requests: 5, windowSeconds: 1.5 }],
    ['a bucket with window fields', { kind: 'token_bucket', requests: 5, windowSeconds: 60 }],
    ['a window with bucket fields', { kind: 'fixed_window', burst: 5, perSeconds: 60 }],
    ['an unknown field', { kind: 'token_bucket', burst: 5, perSeconds: 60, unlimited: true }],
    ['an unknown kind', { kind: 'sliding_window', requests: 5, windowSeconds: 60 }],
    ['a number as a string', { kind: 'fixed_window', requests: '5', windowSeconds: 60 }],
  ])('refuses %s', (_label, policy) => {
    expect(policies.rateLimitPolicySchema().safeParse(policy).success).toBe(false);
  });

  it('is built once, on first use', () => {
    expect(policies.rateLimitPolicySchema()).toBe(policies.rateLimitPolicySchema());
  });

  it("holds every policy of Bulwark's route table within the bounds", () => {
    const declared = securedFunctions.flatMap((entry) =>
      entry.rateLimit.policy === 'default' ? [] : [[entry.id, entry.rateLimit.policy] as const],
    );
    expect(declared.length).toBeGreaterThan(0);
    for (const [id, policy] of declared) {
      expect(policies.rateLimitPolicySchema().safeParse(policy).success, id).toBe(true);
    }
  });
});

describe('what a policy is called and counts', () => {
  const bucket: RateLimitPolicy = { kind: 'token_bucket', burst: 20, perSeconds: 60 };
  const window: RateLimitPolicy = { kind: 'fixed_window', requests: 100, windowSeconds: 3600 };

  it('names a policy by kind and numbers, the same on every instance', () => {
    expect(policies.policyName(bucket)).toBe('tb-20-per-60s');
    expect(policies.policyName(window)).toBe('fw-100-per-3600s');
  });

  it('counts a bucket by its burst and a window by its requests', () => {
    expect(policies.quotaOf(bucket)).toBe(20);
    expect(policies.quotaOf(window)).toBe(100);
  });

  it('measures a bucket by its refill period and a window by its length', () => {
    expect(policies.periodSecondsOf(bucket)).toBe(60);
    expect(policies.periodSecondsOf(window)).toBe(3600);
  });
});
