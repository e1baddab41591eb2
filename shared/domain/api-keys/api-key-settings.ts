import * as z from 'zod/mini';
import { builtOnFirstUse } from '../built-on-first-use.js';
import { RATE_LIMIT_PERIOD_SECONDS_MAX, RATE_LIMIT_QUOTA_MAX } from '../rate-limit/rate-limit-policy.js';
import { roles } from '../users/user.js';
import { apiKeyLimitCeilings, exceedsCeilings } from './api-key.js';

export const API_KEY_NAME_MAX_LENGTH = 100;

/**
 * The schemas, built on first use: every authenticated function loads this module with API-key
 * verification, but only the admin routes that issue, change or show keys parse with them, so building
 * them at every cold start (about 4 ms of init on the bench machine) bought nothing.
 */
const buildSchemas = () => {
  /** The token bucket's bounds (rate-limit-policy.ts), the burst narrowed to what still limits (see apiKeyLimitCeilings). */
  const rateLimitBurst = z
    .int()
    .check(z.gte(1), z.lte(Math.min(RATE_LIMIT_QUOTA_MAX, apiKeyLimitCeilings.burst)));
  const rateLimitPerSeconds = z.int().check(z.gte(1), z.lte(RATE_LIMIT_PERIOD_SECONDS_MAX));

  /** Only once both fields are valid, so a bad field is reported at that field alone. */
  const averageRateCheck = {
    message: `must average at most ${apiKeyLimitCeilings.requestsPerSecond} requests per second (burst / per_seconds); above that, ask for "unlimited"`,
    when: (payload: { readonly issues: readonly unknown[] }) => payload.issues.length === 0,
  };

  /** A key's own bucket as the admin API spells it (snake_case). */
  const apiKeyBucketBody = z
    .strictObject({ burst: rateLimitBurst, per_seconds: rateLimitPerSeconds })
    .check(
      z.refine(
        (bucket) => !exceedsCeilings({ burst: bucket.burst, perSeconds: bucket.per_seconds }),
        averageRateCheck,
      ),
    );

  /** The same bucket as the domain spells it (camelCase). */
  const apiKeyBucket = z
    .strictObject({ burst: rateLimitBurst, perSeconds: rateLimitPerSeconds })
    .check(z.refine((bucket) => !exceedsCeilings(bucket), averageRateCheck));

  /** A label for people; control characters are refused so a name cannot forge log lines. */
  const apiKeyName = z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(API_KEY_NAME_MAX_LENGTH),
      z.regex(/^[^\p{Cc}]+$/u, 'must not contain control characters'),
    );

  const apiKeyRoles = z.array(z.enum(roles)).check(
    z.minLength(1),
    z.maxLength(roles.length),
    z.refine((list) => new Set(list).size === list.length, 'must not repeat a role'),
  );

  /** `'unlimited'` only as this exact string: no `0`, `null`, `-1` or missing field means unlimited. */
  const apiKeyRateLimit = z.union([z.literal('unlimited'), apiKeyBucket]);

  /** `issue()` input, camelCase. `expiresAt` is an ISO 8601 instant, checked against the clock too. */
  const issueApiKeyInput = z.strictObject({
    name: apiKeyName,
    roles: apiKeyRoles,
    rateLimit: z.optional(apiKeyRateLimit),
    expiresAt: z.optional(z.iso.datetime({ offset: true })),
  });

  /** `update()` patch: at least one field. `rateLimit: null` returns the key to the route's policy. */
  const apiKeyPatch = z
    .strictObject({
      roles: z.optional(apiKeyRoles),
      rateLimit: z.optional(z.nullable(apiKeyRateLimit)),
    })
    .check(
      z.refine((patch) => patch.roles !== undefined || patch.rateLimit !== undefined, {
        message: 'must change at least one of roles, rateLimit',
      }),
    );

  return {
    rateLimitBurst,
    rateLimitPerSeconds,
    apiKeyBucketBody,
    apiKeyName,
    apiKeyRoles,
    apiKeyRateLimit,
    issueApiKeyInput,
    apiKeyPatch,
  };
};

export type ApiKeySettingsSchemas = ReturnType<typeof buildSchemas>;
export const apiKeySettingsSchemas: () => ApiKeySettingsSchemas = builtOnFirstUse(buildSchemas);

/** `issue()` input, camelCase. `expiresAt` is an ISO 8601 instant, checked against the clock too. */
export type IssueApiKeyInput = z.input<ApiKeySettingsSchemas['issueApiKeyInput']>;

/** `update()` patch: at least one field. `rateLimit: null` returns the key to the route's policy. */
export type ApiKeyPatch = z.input<ApiKeySettingsSchemas['apiKeyPatch']>;
