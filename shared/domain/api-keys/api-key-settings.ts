import * as z from 'zod';
import { RATE_LIMIT_PERIOD_SECONDS_MAX, RATE_LIMIT_QUOTA_MAX } from '../rate-limit/rate-limit-policy.js';
import { roles } from '../users/user.js';
import { apiKeyLimitCeilings, exceedsCeilings } from './api-key.js';

export const API_KEY_NAME_MAX_LENGTH = 100;

/** The token bucket's bounds (rate-limit-policy.ts), the burst narrowed to what still limits (see apiKeyLimitCeilings). */
export const rateLimitBurst = z.int().min(1).max(Math.min(RATE_LIMIT_QUOTA_MAX, apiKeyLimitCeilings.burst));
export const rateLimitPerSeconds = z.int().min(1).max(RATE_LIMIT_PERIOD_SECONDS_MAX);

/** Only once both fields are valid, so a bad field is reported at that field alone. */
const averageRateCheck = {
  message: `must average at most ${apiKeyLimitCeilings.requestsPerSecond} requests per second (burst / per_seconds); above that, ask for "unlimited"`,
  when: (payload: { readonly issues: readonly unknown[] }) => payload.issues.length === 0,
};

/** A key's own bucket as the admin API spells it (snake_case). */
export const apiKeyBucketBody = z
  .strictObject({ burst: rateLimitBurst, per_seconds: rateLimitPerSeconds })
  .refine(
    (bucket) => !exceedsCeilings({ burst: bucket.burst, perSeconds: bucket.per_seconds }),
    averageRateCheck,
  );

/** The same bucket as the domain spells it (camelCase). */
const apiKeyBucket = z
  .strictObject({ burst: rateLimitBurst, perSeconds: rateLimitPerSeconds })
  .refine((bucket) => !exceedsCeilings(bucket), averageRateCheck);

/** A label for people; control characters are refused so a name cannot forge log lines. */
export const apiKeyName = z
  .string()
  .min(1)
  .max(API_KEY_NAME_MAX_LENGTH)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

export const apiKeyRoles = z
  .array(z.enum(roles))
  .min(1)
  .max(roles.length)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a role');

/** `'unlimited'` only as this exact string: no `0`, `null`, `-1` or missing field means unlimited. */
export const apiKeyRateLimit = z.union([z.literal('unlimited'), apiKeyBucket]);

/** `issue()` input, camelCase. `expiresAt` is an ISO 8601 instant, checked against the clock too. */
export const issueApiKeyInput = z.strictObject({
  name: apiKeyName,
  roles: apiKeyRoles,
  rateLimit: apiKeyRateLimit.optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export type IssueApiKeyInput = z.input<typeof issueApiKeyInput>;

/** `update()` patch: at least one field. `rateLimit: null` returns the key to the route's policy. */
export const apiKeyPatch = z
  .strictObject({
    roles: apiKeyRoles.optional(),
    rateLimit: apiKeyRateLimit.nullable().optional(),
  })
  .refine((patch) => patch.roles !== undefined || patch.rateLimit !== undefined, {
    message: 'must change at least one of roles, rateLimit',
  });

export type ApiKeyPatch = z.input<typeof apiKeyPatch>;
