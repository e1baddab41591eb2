import * as z from 'zod';

/**
 * Token bucket: `burst` requests at once, then one more every `perSeconds / burst` seconds (the
 * reference ADR's per-key `{ burst, per_seconds }`). Fixed window: `requests` per aligned window of
 * `windowSeconds` (the reference runbook's API_RATE_LIMIT_REQUESTS / API_RATE_LIMIT_WINDOW_SECONDS).
 */
export type RateLimitPolicy =
  | { readonly kind: 'token_bucket'; readonly burst: number; readonly perSeconds: number }
  | { readonly kind: 'fixed_window'; readonly requests: number; readonly windowSeconds: number };

const maxQuota = 1_000_000;
const maxPeriodSeconds = 7 * 24 * 60 * 60;

/** Validates a policy where it is written (route table, API key records), never at decision time. */
export const rateLimitPolicySchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('token_bucket'),
    burst: z.number().int().min(1).max(maxQuota),
    perSeconds: z.number().int().min(1).max(maxPeriodSeconds),
  }),
  z.strictObject({
    kind: z.literal('fixed_window'),
    requests: z.number().int().min(1).max(maxQuota),
    windowSeconds: z.number().int().min(1).max(maxPeriodSeconds),
  }),
]);

export const quotaOf = (policy: RateLimitPolicy): number =>
  policy.kind === 'token_bucket' ? policy.burst : policy.requests;

export const periodSecondsOf = (policy: RateLimitPolicy): number =>
  policy.kind === 'token_bucket' ? policy.perSeconds : policy.windowSeconds;

/** Stable, low-cardinality name used in headers, metric dimensions and storage keys. */
export const policyName = (policy: RateLimitPolicy): string =>
  policy.kind === 'token_bucket'
    ? `tb-${policy.burst}-per-${policy.perSeconds}s`
    : `fw-${policy.requests}-per-${policy.windowSeconds}s`;
