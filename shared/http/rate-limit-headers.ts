import type { RateLimitDecision } from '../domain/rate-limit/rate-limit-decision.js';
import { periodSecondsOf, policyName, quotaOf } from '../domain/rate-limit/rate-limit-policy.js';

/**
 * RateLimit-Policy and RateLimit as structured fields, per draft-ietf-httpapi-ratelimit-headers-10:
 * `RateLimit-Policy: "<name>";q=<quota>;w=<window seconds>` and `RateLimit: "<name>";r=<remaining>;t=<reset seconds>`.
 */
export const rateLimitHeaders = (decision: RateLimitDecision): Record<string, string> => {
  const name = policyName(decision.policy);
  return {
    'RateLimit-Policy': `"${name}";q=${quotaOf(decision.policy)};w=${periodSecondsOf(decision.policy)}`,
    RateLimit: `"${name}";r=${decision.remaining};t=${decision.resetSeconds}`,
    ...(decision.retryAfterSeconds === undefined
      ? {}
      : { 'Retry-After': String(decision.retryAfterSeconds) }),
  };
};
