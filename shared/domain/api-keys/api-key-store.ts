import type { Role } from '../users/user.js';
import type { ApiKeyMetadata, ApiKeyRateLimit, ApiKeyRecord } from './api-key.js';

export interface ApiKeyChanges {
  readonly roles?: readonly Role[];
  /** null removes the key's own limit (the route's policy applies again). */
  readonly rateLimit?: ApiKeyRateLimit | null;
  readonly updatedAtMs: number;
}

/** A new secret for a key; the old one verifies until `previousSecretExpiresAtMs` (none: stops now). */
export interface ApiKeyRotation {
  readonly secretHash: string;
  /** Undefined: no overlap, the old secret stops at once. */
  readonly previousSecretExpiresAtMs: number | undefined;
  readonly updatedAtMs: number;
}

/**
 * Port for API key records. Every change is one conditional write; a failed condition is a domain
 * error (ApiKeyNotFoundError), any other failure DependencyUnavailableError.
 */
export interface ApiKeyStore {
  /** Conditional on the id being new; a taken id throws ApiKeyIdTakenError. */
  readonly create: (record: ApiKeyRecord) => Promise<void>;
  /** Strongly consistent, so a revoke is seen by the very next request. */
  readonly get: (keyId: string) => Promise<ApiKeyRecord | undefined>;
  /** Every key, all pages, without secret hashes. */
  readonly list: () => Promise<readonly ApiKeyMetadata[]>;
  /** Only an existing, unrevoked key changes; the version is incremented. */
  readonly update: (keyId: string, changes: ApiKeyChanges) => Promise<ApiKeyMetadata>;
  /** Idempotent: revoking a revoked key returns it unchanged (no write, same version). */
  readonly revoke: (keyId: string, updatedAtMs: number) => Promise<ApiKeyMetadata>;
}

/**
 * Port for rotating a key's secret, apart from ApiKeyStore so that only the rotation route bundles it
 * (every authenticated function bundles the store to verify keys).
 */
export interface ApiKeyRotationStore {
  /**
   * One conditional write on an existing, unrevoked key: the current hash becomes the previous one (with
   * its expiry), the new hash current; a previous hash from an earlier rotation is dropped.
   */
  readonly rotate: (keyId: string, rotation: ApiKeyRotation) => Promise<ApiKeyMetadata>;
}
