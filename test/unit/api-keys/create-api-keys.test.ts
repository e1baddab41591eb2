import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../../shared/domain/api-keys/api-key.js';
import {
  ApiKeyInvalidError,
  ApiKeyNotFoundError,
  ApiKeySettingsInvalidError,
} from '../../../shared/domain/api-keys/api-key-errors.js';
import type { ApiKeyStore } from '../../../shared/domain/api-keys/api-key-store.js';
import { createApiKeys } from '../../../shared/domain/api-keys/create-api-keys.js';
import { BulwarkError } from '../../../shared/errors/bulwark-error.js';
import { ConfigurationError } from '../../../shared/errors/configuration-error.js';
import { rejectionOf } from '../../support/rejection-of.js';

const nowMs = Date.UTC(2030, 0, 7);
const pepperValue = 'unit-test-pepper-0123456789-abcdefghij';

/** A store that records calls; get answers from `records`. */
const recordingStore = (records: Record<string, ApiKeyRecord> = {}) => {
  const calls: string[] = [];
  const created: ApiKeyRecord[] = [];
  const store: ApiKeyStore = {
    create: async (record) => {
      calls.push('create');
      created.push(record);
    },
    get: async (keyId) => {
      calls.push('get');
      return records[keyId];
    },
    list: async () => {
      calls.push('list');
      return [];
    },
    update: async () => {
      calls.push('update');
      throw new Error('not expected');
    },
    revoke: async () => {
      calls.push('revoke');
      throw new Error('not expected');
    },
  };
  return { store, calls, created };
};

const build = (records?: Record<string, ApiKeyRecord>, pepper = async () => pepperValue) => {
  const recording = recordingStore(records);
  let pepperCalls = 0;
  const apiKeys = createApiKeys({
    store: recording.store,
    clock: { nowMs: () => nowMs },
    pepper: () => {
      pepperCalls += 1;
      return pepper();
    },
  });
  return { apiKeys, ...recording, pepperCalls: () => pepperCalls };
};

describe('createApiKeys().verify', () => {
  it.each([
    '',
    'Bearer bwk_abcdefghijklmnopqrst:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde',
    'bwk_abcdefghijklmnopqrst',
    'x'.repeat(10_000),
  ])('refuses a malformed credential (%#) without reading the store or the pepper', async (presented) => {
    const { apiKeys, calls, pepperCalls } = build();
    const error = await rejectionOf(apiKeys.verify(presented));
    expect(error).toBeInstanceOf(ApiKeyInvalidError);
    expect((error as ApiKeyInvalidError).reason).toBe('malformed');
    expect(calls).toEqual([]);
    expect(pepperCalls()).toBe(0);
  });

  it('answers every refusal with the same 401 problem and challenge, whatever the reason', () => {
    for (const reason of ['malformed', 'unknown', 'mismatch', 'revoked', 'expired'] as const) {
      const error = new ApiKeyInvalidError(reason);
      expect(error).toBeInstanceOf(BulwarkError);
      expect(error.code).toBe('invalid-credentials');
      expect(error.detail).toBe('The API key is not valid.');
      expect(error.message).not.toContain(reason);
      expect(error.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="bulwark", error="invalid_token"' });
    }
  });

  it('reads the pepper for an unknown key id too, so it costs the same HMAC as a wrong secret', async () => {
    const { apiKeys, calls, pepperCalls } = build();
    const error = await rejectionOf(
      apiKeys.verify('bwk_abcdefghijklmnopqrst:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde'),
    );
    expect((error as ApiKeyInvalidError).reason).toBe('unknown');
    expect(calls).toEqual(['get']);
    expect(pepperCalls()).toBe(1);
  });

  it('fails as misconfiguration, not as a bad key, when the pepper is shorter than 32 characters', async () => {
    const { apiKeys } = build(undefined, async () => 'short');
    const error = await rejectionOf(
      apiKeys.verify('bwk_abcdefghijklmnopqrst:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde'),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String(error)).not.toContain('short');
  });
});

describe('createApiKeys().issue', () => {
  it('stores only the peppered hash and returns the secret once, in the credential', async () => {
    const { apiKeys, created } = build();
    const issued = await apiKeys.issue({ name: 'ci', roles: ['user'] });
    const secret = issued.apiKey.split(':')[1] ?? '';
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(created)).not.toContain(secret);
    expect(JSON.stringify(issued.key)).not.toContain(secret);
    expect(JSON.stringify(issued.key)).not.toContain(created[0]?.secretHash);
    expect(created[0]).toMatchObject({ version: 1, revoked: false, createdAtMs: nowMs, updatedAtMs: nowMs });
  });

  it('refuses an expiry that is not in the future, naming the API field', async () => {
    const { apiKeys, calls } = build();
    for (const expiresAt of [new Date(nowMs).toISOString(), '2029-12-31T23:59:59Z']) {
      const error = await rejectionOf(apiKeys.issue({ name: 'ci', roles: ['user'], expiresAt }));
      expect(error).toBeInstanceOf(ApiKeySettingsInvalidError);
      expect((error as ApiKeySettingsInvalidError).errors).toEqual([
        { path: '/expires_at', message: 'must be in the future' },
      ]);
    }
    expect(calls).toEqual([]);
  });

  it('reports invalid settings with snake_case paths and a 422 code', async () => {
    const { apiKeys } = build();
    const error = await rejectionOf(
      apiKeys.issue({ name: 'ci', roles: ['user'], rateLimit: { burst: 1, perSeconds: 0 } }),
    );
    expect((error as ApiKeySettingsInvalidError).code).toBe('validation-failed');
    expect((error as ApiKeySettingsInvalidError).errors?.map((e) => e.path)).toEqual([
      '/rate_limit/per_seconds',
    ]);
  });
});

describe('createApiKeys().update and revoke', () => {
  it.each(['', 'bwk_short', 'BWK_ABCDEFGHIJKLMNOPQRST', '../../etc/passwd'])(
    'answer 404 for an id that cannot exist (%j) without a store call',
    async (keyId) => {
      const { apiKeys, calls } = build();
      expect(await rejectionOf(apiKeys.update(keyId, { roles: ['admin'] }))).toBeInstanceOf(
        ApiKeyNotFoundError,
      );
      expect(await rejectionOf(apiKeys.revoke(keyId))).toBeInstanceOf(ApiKeyNotFoundError);
      expect(calls).toEqual([]);
    },
  );
});
