import type { FieldError } from '../../errors/bulwark-error.js';
import { ConfigurationError } from '../../errors/configuration-error.js';
import { fieldErrorsOf } from '../../errors/field-errors.js';
import type { Clock } from '../clock.js';
import type { Role } from '../users/user.js';
import {
  type ApiKeyRateLimit,
  type ApiKeyRecord,
  type ApiKeyView,
  isUnlimitedInEffect,
  toApiKeyView,
} from './api-key.js';
import {
  API_KEY_ID_PATTERN,
  formatApiKeyCredential,
  generateApiKeyId,
  generateApiKeySecret,
  parseApiKeyCredential,
  type RandomBytes,
} from './api-key-credential.js';
import { ApiKeyInvalidError, ApiKeyNotFoundError, ApiKeySettingsInvalidError } from './api-key-errors.js';
import { API_KEY_PEPPER_MIN_LENGTH, hashApiKeySecret, secretHashMatches } from './api-key-secret-hash.js';
import { type ApiKeyPatch, apiKeySettingsSchemas, type IssueApiKeyInput } from './api-key-settings.js';
import type { ApiKeyRotationStore, ApiKeyStore } from './api-key-store.js';

export interface ApiKeysDependencies {
  readonly store: ApiKeyStore;
  /** The pepper from Secrets Manager (cached by the caller), at least 32 characters. */
  readonly pepper: () => Promise<string>;
  readonly clock: Clock;
  /** CSPRNG; defaults to node:crypto randomBytes. */
  readonly random?: RandomBytes;
  /** Bound on the records verifyProvable keeps in process (least recently used dropped first). */
  readonly maxCachedRecords?: number;
}

export interface IssuedApiKey {
  /** `key_id:secret`: shown once, never stored, never retrievable again. */
  readonly apiKey: string;
  readonly key: ApiKeyView;
}

/** What authentication learns from a valid key. `rateLimit` undefined: the route's policy applies. */
export interface VerifiedApiKey {
  readonly keyId: string;
  readonly roles: readonly Role[];
  /** `'unlimited'` is a guard-rail breach: the caller logs it and counts `api_key_unlimited_used`. */
  readonly rateLimit: ApiKeyRateLimit | undefined;
}

/**
 * A key verified against a record that the caller must prove current before trusting it: the rate
 * limiter's write does, with a condition on `version` (ADR 0005). `fromCache`: the record came from
 * this instance's cache, not from a read in this call.
 */
export interface ProvableApiKey extends VerifiedApiKey {
  readonly version: number;
  readonly fromCache: boolean;
}

export interface ApiKeys {
  readonly issue: (input: IssueApiKeyInput) => Promise<IssuedApiKey>;
  /** Resolves for a valid key; otherwise throws ApiKeyInvalidError (401) with an internal reason. */
  readonly verify: (presented: string) => Promise<VerifiedApiKey>;
  /**
   * As verify, but from the record cached in this instance when the secret verifies against it
   * (`fresh`: always read). Only for a caller that proves the record current at `version` before it
   * acts on the answer. A cached record that refuses the key is never trusted to refuse (it may predate
   * a rotation): the key is then verified against a fresh read, as verify does. An unlimited key is
   * always read: no limiter write follows to prove it.
   */
  readonly verifyProvable: (
    presented: string,
    options?: { readonly fresh?: boolean },
  ) => Promise<ProvableApiKey>;
  readonly list: () => Promise<ApiKeyView[]>;
  readonly update: (keyId: string, patch: ApiKeyPatch) => Promise<ApiKeyView>;
  readonly revoke: (keyId: string) => Promise<ApiKeyView>;
}

/** Compared against when the id is unknown, so an unknown id costs the same HMAC and compare as a wrong secret. */
const unknownKeyHash = 'A'.repeat(43);

/** Field errors name the admin API's snake_case fields, since that is where they are shown. */
const apiFieldNames: Readonly<Record<string, string>> = {
  rateLimit: 'rate_limit',
  perSeconds: 'per_seconds',
  expiresAt: 'expires_at',
};
const toApiPaths = (errors: readonly FieldError[]): FieldError[] =>
  errors.map((error) => ({
    ...error,
    path: error.path.replace(/[^/]+/g, (segment) => apiFieldNames[segment] ?? segment),
  }));

const pepperOf = async (source: () => Promise<string>): Promise<string> => {
  const pepper = await source();
  if (typeof pepper !== 'string' || pepper.length < API_KEY_PEPPER_MIN_LENGTH) {
    throw new ConfigurationError(
      'API key pepper',
      `must be at least ${API_KEY_PEPPER_MIN_LENGTH} characters`,
    );
  }
  return pepper;
};

const assertKeyId = (keyId: string): void => {
  // An id that cannot exist is not looked up.
  if (typeof keyId !== 'string' || !API_KEY_ID_PATTERN.test(keyId)) throw new ApiKeyNotFoundError('missing');
};

/**
 * API keys: issue (secret shown once), verify on every request (one strongly consistent read), list,
 * update and revoke. Settings are validated here, where they are written, never when a key is used.
 */
export const createApiKeys = (deps: ApiKeysDependencies): ApiKeys => {
  const { store, clock } = deps;
  const maxCachedRecords = deps.maxCachedRecords ?? 10_000;
  /** The last record read per key id: a guess to be proven, never a source of truth. */
  const records = new Map<string, ApiKeyRecord>();
  const remember = (record: ApiKeyRecord): void => {
    records.delete(record.keyId);
    records.set(record.keyId, record);
    // A Map iterates in insertion order, so its first keys are the least recently used.
    for (const oldest of records.keys()) {
      if (records.size <= maxCachedRecords) break;
      records.delete(oldest);
    }
  };

  /**
   * The one decision over a record (or none): hash and compare before looking at the record, so
   * unknown and wrong-secret cost the same; the previous secret of a rotation is always compared too
   * (against a dummy when there is none).
   */
  const decide = (pepper: string, secret: string, record: ApiKeyRecord | undefined): ApiKeyRecord => {
    const presentedHash = hashApiKeySecret(pepper, secret);
    const matchesCurrent = secretHashMatches(presentedHash, record?.secretHash ?? unknownKeyHash);
    const matchesPrevious = secretHashMatches(presentedHash, record?.previousSecretHash ?? unknownKeyHash);
    if (record === undefined) throw new ApiKeyInvalidError('unknown');
    // A previous secret matches only a stored previous hash (never the dummy) and works only until the
    // overlap ends; without a stored end it never works.
    const previousValid = matchesPrevious && (record.previousSecretExpiresAtMs ?? 0) > clock.nowMs();
    if (!matchesCurrent && !previousValid) {
      throw new ApiKeyInvalidError(matchesPrevious ? 'rotated' : 'mismatch');
    }
    // Only the holder of the secret learns (in our logs) that a key is revoked or expired.
    if (record.revoked) throw new ApiKeyInvalidError('revoked');
    if ((record.expiresAtMs ?? Number.POSITIVE_INFINITY) <= clock.nowMs()) {
      throw new ApiKeyInvalidError('expired');
    }
    return record;
  };

  const readAndDecide = async (presented: string): Promise<ApiKeyRecord> => {
    const credential = parseApiKeyCredential(presented);
    if (credential === undefined) throw new ApiKeyInvalidError('malformed');
    const [pepper, record] = await Promise.all([pepperOf(deps.pepper), store.get(credential.keyId)]);
    if (record !== undefined) remember(record);
    return decide(pepper, credential.secret, record);
  };

  const fromCache = async (presented: string): Promise<ApiKeyRecord | undefined> => {
    const credential = parseApiKeyCredential(presented);
    if (credential === undefined) return undefined;
    const cached = records.get(credential.keyId);
    if (cached === undefined || isUnlimitedInEffect(cached.rateLimit)) return undefined;
    const pepper = await pepperOf(deps.pepper);
    try {
      const record = decide(pepper, credential.secret, cached);
      remember(record);
      return record;
    } catch {
      // Refused by a record that may be stale: the read decides (and throws whatever it finds).
    }
    return undefined;
  };

  return {
    issue: async (input) => {
      const parsed = apiKeySettingsSchemas().issueApiKeyInput.safeParse(input);
      if (!parsed.success)
        throw new ApiKeySettingsInvalidError(toApiPaths(fieldErrorsOf(parsed.error, input)));
      const settings = parsed.data;
      const nowMs = clock.nowMs();
      const expiresAtMs = settings.expiresAt === undefined ? undefined : Date.parse(settings.expiresAt);
      if (expiresAtMs !== undefined && !(expiresAtMs > nowMs)) {
        throw new ApiKeySettingsInvalidError([{ path: '/expires_at', message: 'must be in the future' }]);
      }
      const pepper = await pepperOf(deps.pepper);
      const keyId = generateApiKeyId(deps.random);
      const secret = generateApiKeySecret(deps.random);
      const record: ApiKeyRecord = {
        keyId,
        name: settings.name,
        roles: settings.roles,
        rateLimit: settings.rateLimit,
        expiresAtMs,
        revoked: false,
        secretHash: hashApiKeySecret(pepper, secret),
        createdAtMs: nowMs,
        updatedAtMs: nowMs,
        version: 1,
      };
      await store.create(record);
      return { apiKey: formatApiKeyCredential({ keyId, secret }), key: toApiKeyView(record) };
    },

    verify: async (presented) => {
      const record = await readAndDecide(presented);
      return { keyId: record.keyId, roles: record.roles, rateLimit: record.rateLimit };
    },

    verifyProvable: async (presented, options = {}) => {
      const cached = options.fresh === true ? undefined : await fromCache(presented);
      const record = cached ?? (await readAndDecide(presented));
      return {
        keyId: record.keyId,
        roles: record.roles,
        rateLimit: record.rateLimit,
        version: record.version,
        fromCache: cached !== undefined,
      };
    },

    list: async () => {
      const keys = await store.list();
      return [...keys]
        .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0))
        .map(toApiKeyView);
    },

    update: async (keyId, patch) => {
      assertKeyId(keyId);
      const parsed = apiKeySettingsSchemas().apiKeyPatch.safeParse(patch);
      if (!parsed.success)
        throw new ApiKeySettingsInvalidError(toApiPaths(fieldErrorsOf(parsed.error, patch)));
      const updated = await store.update(keyId, {
        ...(parsed.data.roles === undefined ? {} : { roles: parsed.data.roles }),
        ...(parsed.data.rateLimit === undefined ? {} : { rateLimit: parsed.data.rateLimit }),
        updatedAtMs: clock.nowMs(),
      });
      return toApiKeyView(updated);
    },

    revoke: async (keyId) => {
      assertKeyId(keyId);
      return toApiKeyView(await store.revoke(keyId, clock.nowMs()));
    },
  };
};

export interface ApiKeyRotationDependencies extends Pick<ApiKeysDependencies, 'pepper' | 'clock' | 'random'> {
  readonly store: ApiKeyRotationStore;
  /**
   * How long the secret a rotation replaces keeps working unless the rotation asks for less
   * (API_KEY_ROTATION_OVERLAP_SECONDS); it is also the most a rotation may ask for.
   */
  readonly rotationOverlapSeconds?: number;
}

/**
 * A new secret for the same key id (roles, limit and rate-limit state stay); the old secret keeps
 * verifying for `overlapSeconds` (default and maximum: the configured overlap), then stops. Apart from
 * createApiKeys so that only the rotation route bundles it.
 */
export const createApiKeyRotation =
  (deps: ApiKeyRotationDependencies) =>
  async (keyId: string, options: { readonly overlapSeconds?: number } = {}): Promise<IssuedApiKey> => {
    const { store, clock } = deps;
    assertKeyId(keyId);
    const maximum = deps.rotationOverlapSeconds ?? 0;
    const overlapSeconds = options.overlapSeconds ?? maximum;
    if (!Number.isSafeInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > maximum) {
      throw new ApiKeySettingsInvalidError([
        { path: '/overlap_seconds', message: `must be a whole number from 0 to ${maximum}` },
      ]);
    }
    const pepper = await pepperOf(deps.pepper);
    const secret = generateApiKeySecret(deps.random);
    const nowMs = clock.nowMs();
    const rotated = await store.rotate(keyId, {
      secretHash: hashApiKeySecret(pepper, secret),
      previousSecretExpiresAtMs: overlapSeconds === 0 ? undefined : nowMs + overlapSeconds * 1000,
      updatedAtMs: nowMs,
    });
    return { apiKey: formatApiKeyCredential({ keyId, secret }), key: toApiKeyView(rotated) };
  };
