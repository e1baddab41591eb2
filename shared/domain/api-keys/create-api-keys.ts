import type { FieldError } from '../../errors/bulwark-error.js';
import { ConfigurationError } from '../../errors/configuration-error.js';
import { fieldErrorsOf } from '../../errors/field-errors.js';
import type { Clock } from '../clock.js';
import type { Role } from '../users/user.js';
import { type ApiKeyRateLimit, type ApiKeyRecord, type ApiKeyView, toApiKeyView } from './api-key.js';
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
import {
  type ApiKeyPatch,
  apiKeyPatch,
  type IssueApiKeyInput,
  issueApiKeyInput,
} from './api-key-settings.js';
import type { ApiKeyStore } from './api-key-store.js';

export interface ApiKeysDependencies {
  readonly store: ApiKeyStore;
  /** The pepper from Secrets Manager (cached by the caller), at least 32 characters. */
  readonly pepper: () => Promise<string>;
  readonly clock: Clock;
  /** CSPRNG; defaults to node:crypto randomBytes. */
  readonly random?: RandomBytes;
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

export interface ApiKeys {
  readonly issue: (input: IssueApiKeyInput) => Promise<IssuedApiKey>;
  /** Resolves for a valid key; otherwise throws ApiKeyInvalidError (401) with an internal reason. */
  readonly verify: (presented: string) => Promise<VerifiedApiKey>;
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

/**
 * API keys: issue (secret shown once), verify on every request (one strongly consistent read), list,
 * update and revoke. Settings are validated here, where they are written, never when a key is used.
 */
export const createApiKeys = (deps: ApiKeysDependencies): ApiKeys => {
  const { store, clock } = deps;

  const pepperOf = async (): Promise<string> => {
    const pepper = await deps.pepper();
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
    if (typeof keyId !== 'string' || !API_KEY_ID_PATTERN.test(keyId))
      throw new ApiKeyNotFoundError('missing');
  };

  return {
    issue: async (input) => {
      const parsed = issueApiKeyInput.safeParse(input);
      if (!parsed.success)
        throw new ApiKeySettingsInvalidError(toApiPaths(fieldErrorsOf(parsed.error, input)));
      const settings = parsed.data;
      const nowMs = clock.nowMs();
      const expiresAtMs = settings.expiresAt === undefined ? undefined : Date.parse(settings.expiresAt);
      if (expiresAtMs !== undefined && !(expiresAtMs > nowMs)) {
        throw new ApiKeySettingsInvalidError([{ path: '/expires_at', message: 'must be in the future' }]);
      }
      const pepper = await pepperOf();
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
      const credential = parseApiKeyCredential(presented);
      if (credential === undefined) throw new ApiKeyInvalidError('malformed');
      const [pepper, record] = await Promise.all([pepperOf(), store.get(credential.keyId)]);
      // Hash and compare before looking at the record, so unknown and wrong-secret cost the same.
      const matches = secretHashMatches(
        hashApiKeySecret(pepper, credential.secret),
        record?.secretHash ?? unknownKeyHash,
      );
      if (record === undefined) throw new ApiKeyInvalidError('unknown');
      if (!matches) throw new ApiKeyInvalidError('mismatch');
      // Only the holder of the secret learns (in our logs) that a key is revoked or expired.
      if (record.revoked) throw new ApiKeyInvalidError('revoked');
      if (record.expiresAtMs !== undefined && record.expiresAtMs <= clock.nowMs()) {
        throw new ApiKeyInvalidError('expired');
      }
      return { keyId: record.keyId, roles: record.roles, rateLimit: record.rateLimit };
    },

    list: async () => {
      const keys = await store.list();
      return [...keys]
        .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0))
        .map(toApiKeyView);
    },

    update: async (keyId, patch) => {
      assertKeyId(keyId);
      const parsed = apiKeyPatch.safeParse(patch);
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
