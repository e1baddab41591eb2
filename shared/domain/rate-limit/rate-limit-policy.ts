import * as z from 'zod/mini';
import { builtOnFirstUse } from '../built-on-first-use.js';

/**
 * Token bucket: `burst` requests at once, then one more every `perSeconds / burst` seconds (the
 * reference ADR's per-key `{ burst, per_seconds }`). Fixed window: `requests` per aligned window of
 * `windowSeconds` (the reference runbook's API_RATE_LIMIT_REQUESTS / API_RATE_LIMIT_WINDOW_SECONDS).
 */
export type RateLimitPolicy =
  | { readonly kind: 'token_bucket'; readonly burst: number; readonly perSeconds: number }
  | { readonly kind: 'fixed_window'; readonly requests: number; readonly windowSeconds: number };

/** Largest burst or window quota a policy may name. */
export const RATE_LIMIT_QUOTA_MAX = 1_000_000;
/** Longest refill period or window a policy may name: a week. */
export const RATE_LIMIT_PERIOD_SECONDS_MAX = 7 * 24 * 60 * 60;

const buildPolicySchema = () => {
  const quota = z.int().check(z.gte(1), z.lte(RATE_LIMIT_QUOTA_MAX));
  const periodSeconds = z.int().check(z.gte(1), z.lte(RATE_LIMIT_PERIOD_SECONDS_MAX));
  return z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('token_bucket'), burst: quota, perSeconds: periodSeconds }),
    z.strictObject({ kind: z.literal('fixed_window'), requests: quota, windowSeconds: periodSeconds }),
  ]);
};
/**
 * Validates a policy where it is written (the route table's policies, checked by its test), never at
 * decision time. Built on first use: every function loads this module, none parses a policy when it runs.
 */
export const rateLimitPolicySchema: () => ReturnType<typeof buildPolicySchema> =
  builtOnFirstUse(buildPolicySchema);

export const quotaOf = (policy: RateLimitPolicy): number =>
  policy.kind === 'token_bucket' ? policy.burst : policy.requests;

export const periodSecondsOf = (policy: RateLimitPolicy): number =>
  policy.kind === 'token_bucket' ? policy.perSeconds : policy.windowSeconds;

/** Stable, low-cardinality name used in headers, metric dimensions and storage keys. */
export const policyName = (policy: RateLimitPolicy): string =>
  policy.kind === 'token_bucket'
    ? `tb-${policy.burst}-per-${policy.perSeconds}s`
    : `fw-${policy.requests}-per-${policy.windowSeconds}s`;
