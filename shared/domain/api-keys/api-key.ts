import type { RateLimitPolicy } from '../rate-limit/rate-limit-policy.js';
import type { Role } from '../users/user.js';

/** A per-key token bucket, validated with the bounds of `rateLimitPolicySchema` when written. */
export interface ApiKeyTokenBucket {
  readonly burst: number;
  readonly perSeconds: number;
}

/**
 * A key's own limit. `'unlimited'` is never a default: it has to be asked for, and every use of such a
 * key is a guard-rail breach the caller logs and counts (`api_key_unlimited_used`).
 */
export type ApiKeyRateLimit = ApiKeyTokenBucket | 'unlimited';

/**
 * The envelope of a limit that still limits. Above it a key's bucket never binds in practice (API
 * Gateway's stage throttle and the account's Lambda concurrency give out first), so such a key is
 * unlimited in effect and must say so: `'unlimited'`, logged and counted on every use.
 */
export const apiKeyLimitCeilings = Object.freeze({ burst: 10_000, requestsPerSecond: 1_000 });

export const exceedsCeilings = (bucket: ApiKeyTokenBucket): boolean =>
  bucket.burst > apiKeyLimitCeilings.burst ||
  bucket.burst / bucket.perSeconds > apiKeyLimitCeilings.requestsPerSecond;

/**
 * Whether every use of a key is a guard-rail breach: `'unlimited'`, or a bucket beyond the ceilings
 * (only a record written before they existed can hold one; writes refuse it).
 */
export const isUnlimitedInEffect = (rateLimit: ApiKeyRateLimit | undefined): boolean =>
  rateLimit === 'unlimited' || (rateLimit !== undefined && exceedsCeilings(rateLimit));

/** One stored API key. The secret itself is never stored, only its peppered HMAC. */
export interface ApiKeyRecord {
  readonly keyId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  /** Undefined: the route's default policy applies. */
  readonly rateLimit: ApiKeyRateLimit | undefined;
  readonly expiresAtMs: number | undefined;
  readonly revoked: boolean;
  /** base64url HMAC-SHA-256(pepper, secret). */
  readonly secretHash: string;
  /**
   * After a rotation with overlap: the hash of the secret it replaced, which keeps verifying until
   * `previousSecretExpiresAtMs` (then never again, whatever the record says).
   */
  readonly previousSecretHash?: string;
  readonly previousSecretExpiresAtMs?: number;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** 1 at creation, incremented by every change (update, revoke). */
  readonly version: number;
}

/** What listing and admin answers may carry: a record without its secret hashes. */
export type ApiKeyMetadata = Omit<ApiKeyRecord, 'secretHash' | 'previousSecretHash'>;

/** The admin API's representation (snake_case). Never the secret, never its hash. */
export interface ApiKeyView {
  readonly key_id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly rate_limit: { readonly burst: number; readonly per_seconds: number } | 'unlimited' | null;
  readonly expires_at: string | null;
  readonly revoked: boolean;
  /** Until when the secret a rotation replaced still works; null when no rotation overlap was set. */
  readonly overlap_until: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

const isoOf = (ms: number): string => new Date(ms).toISOString();

/** Copies named fields only, so a field added to the record never leaks into an answer by default. */
export const toApiKeyView = (key: ApiKeyMetadata): ApiKeyView => ({
  key_id: key.keyId,
  name: key.name,
  roles: [...key.roles],
  rate_limit:
    key.rateLimit === undefined
      ? null
      : key.rateLimit === 'unlimited'
        ? 'unlimited'
        : { burst: key.rateLimit.burst, per_seconds: key.rateLimit.perSeconds },
  expires_at: key.expiresAtMs === undefined ? null : isoOf(key.expiresAtMs),
  revoked: key.revoked,
  overlap_until: key.previousSecretExpiresAtMs === undefined ? null : isoOf(key.previousSecretExpiresAtMs),
  created_at: isoOf(key.createdAtMs),
  updated_at: isoOf(key.updatedAtMs),
});

/** The limiter's policy for a key's own token bucket (for the rate-limit middleware's `policyFor`). */
export const apiKeyRateLimitPolicy = (bucket: ApiKeyTokenBucket): RateLimitPolicy => ({
  kind: 'token_bucket',
  burst: bucket.burst,
  perSeconds: bucket.perSeconds,
});
