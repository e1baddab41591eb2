import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiKeyMetadata, ApiKeyRecord } from '../../../shared/domain/api-keys/api-key.js';
import {
  ApiKeyInvalidError,
  ApiKeyNotFoundError,
  ApiKeySettingsInvalidError,
} from '../../../shared/domain/api-keys/api-key-errors.js';
import { hashApiKeySecret } from '../../../shared/domain/api-keys/api-key-secret-hash.js';
import type { ApiKeyChanges, ApiKeyStore } from '../../../shared/domain/api-keys/api-key-store.js';
import { BulwarkError } from '../../../shared/errors/bulwark-error.js';
import { ConfigurationError } from '../../../shared/errors/configuration-error.js';
import { importFresh } from '../../support/import-fresh.js';
import { inMemoryApiKeyStore } from '../../support/in-memory-api-key-store.js';
import { rejectionOf } from '../../support/rejection-of.js';

type ApiKeysModule = typeof import('../../../shared/domain/api-keys/create-api-keys.js');
// Loaded afresh for each test, so the module's constants (the field-name map) are mutation-tested too.
let createApiKeys: ApiKeysModule['createApiKeys'];
let createApiKeyRotation: ApiKeysModule['createApiKeyRotation'];
beforeEach(async () => {
  ({ createApiKeys, createApiKeyRotation } = await importFresh<ApiKeysModule>(
    new URL('../../../shared/domain/api-keys/create-api-keys.js', import.meta.url),
  ));
});

const nowMs = Date.UTC(2030, 0, 7);
const pepperValue = 'unit-test-pepper-0123456789-abcdefghij';

/** A store that records calls; get answers from `records`, list from `listed`, update echoes the change. */
const recordingStore = (records: Record<string, ApiKeyRecord> = {}, listed: ApiKeyMetadata[] = []) => {
  const calls: string[] = [];
  const created: ApiKeyRecord[] = [];
  const changes: { keyId: string; changes: ApiKeyChanges }[] = [];
  const revoked: { keyId: string; updatedAtMs: number }[] = [];
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
      return listed;
    },
    update: async (keyId, change) => {
      calls.push('update');
      changes.push({ keyId, changes: change });
      const { rateLimit, ...rest } = change;
      // A store answers with the key as written: null removes the own limit.
      return {
        ...metadata(keyId),
        ...rest,
        ...(rateLimit === undefined ? {} : { rateLimit: rateLimit ?? undefined }),
        version: 2,
      };
    },
    revoke: async (keyId, updatedAtMs) => {
      calls.push('revoke');
      revoked.push({ keyId, updatedAtMs });
      return { ...metadata(keyId), revoked: true, updatedAtMs, version: 2 };
    },
  };
  return { store, calls, created, changes, revoked };
};

const metadata = (keyId: string, overrides: Partial<ApiKeyMetadata> = {}): ApiKeyMetadata => ({
  keyId,
  name: 'ci',
  roles: ['user'],
  rateLimit: undefined,
  expiresAtMs: undefined,
  revoked: false,
  createdAtMs: nowMs - 1_000,
  updatedAtMs: nowMs - 1_000,
  version: 1,
  ...overrides,
});

const keyId = 'bwk_abcdefghijklmnopqrst';
const secret = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';
const credential = `${keyId}:${secret}`;
const storedKey = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  ...metadata(keyId, { roles: ['admin'], rateLimit: { burst: 5, perSeconds: 60 } }),
  secretHash: hashApiKeySecret(pepperValue, secret),
  ...overrides,
});

const build = (
  records?: Record<string, ApiKeyRecord>,
  pepper: () => Promise<string> = async () => pepperValue,
  listed?: ApiKeyMetadata[],
) => {
  const recording = recordingStore(records, listed);
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

  it('accepts the right secret, answering with the key id, roles and own limit', async () => {
    const { apiKeys } = build({ [keyId]: storedKey() });
    expect(await apiKeys.verify(credential)).toEqual({
      keyId,
      roles: ['admin'],
      rateLimit: { burst: 5, perSeconds: 60 },
    });
  });

  it.each([
    ['a wrong secret', storedKey(), `${keyId}:${secret.slice(0, -1)}f`, 'mismatch'],
    ['a revoked key', storedKey({ revoked: true }), credential, 'revoked'],
    [
      'a revoked key with a wrong secret',
      storedKey({ revoked: true }),
      `${keyId}:${secret.slice(0, -1)}f`,
      'mismatch',
    ],
    ['a key expiring now', storedKey({ expiresAtMs: nowMs }), credential, 'expired'],
    [
      'an expired key with a wrong secret',
      storedKey({ expiresAtMs: nowMs }),
      `${keyId}:${secret.slice(0, -1)}f`,
      'mismatch',
    ],
  ] as const)('refuses %s as %s', async (_label, record, presented, reason) => {
    const { apiKeys } = build({ [keyId]: record });
    const error = await rejectionOf(apiKeys.verify(presented));
    expect(error).toBeInstanceOf(ApiKeyInvalidError);
    expect((error as ApiKeyInvalidError).reason).toBe(reason);
  });

  it('accepts a key until the millisecond it expires', async () => {
    const { apiKeys } = build({ [keyId]: storedKey({ expiresAtMs: nowMs + 1 }) });
    await expect(apiKeys.verify(credential)).resolves.toMatchObject({ keyId });
  });

  it('accepts a pepper of exactly 32 characters', async () => {
    const { apiKeys } = build(
      { [keyId]: { ...storedKey(), secretHash: hashApiKeySecret('p'.repeat(32), secret) } },
      async () => 'p'.repeat(32),
    );
    await expect(apiKeys.verify(credential)).resolves.toMatchObject({ keyId });
  });

  it('names the pepper and its minimum when it is too short or not a string', async () => {
    for (const pepper of ['p'.repeat(31), 42 as unknown as string]) {
      const { apiKeys } = build({ [keyId]: storedKey() }, async () => pepper);
      const error = await rejectionOf(apiKeys.verify(credential));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(String((error as Error).message)).toBe('API key pepper: must be at least 32 characters');
    }
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

  it('accepts an expiry a millisecond in the future and stores it as epoch milliseconds', async () => {
    const { apiKeys, created } = build();
    const expiresAt = new Date(nowMs + 1).toISOString();
    await apiKeys.issue({ name: 'ci', roles: ['user'], expiresAt });
    expect(created[0]?.expiresAtMs).toBe(nowMs + 1);
  });

  it('names every settings field in the admin API spelling', async () => {
    const { apiKeys } = build();
    const error = await rejectionOf(
      apiKeys.issue({
        name: 'ci',
        roles: ['user'],
        rateLimit: { burst: 1, perSeconds: 0 },
        expiresAt: 'soon',
      }),
    );
    expect((error as ApiKeySettingsInvalidError).errors?.map((e) => e.path)).toEqual([
      '/rate_limit/per_seconds',
      '/expires_at',
    ]);
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

describe('createApiKeys().update', () => {
  it('writes only the fields the patch changes, with the time of the change', async () => {
    const { apiKeys, changes } = build();
    await apiKeys.update(keyId, { roles: ['admin'] });
    await apiKeys.update(keyId, { rateLimit: null });
    await apiKeys.update(keyId, { roles: ['user'], rateLimit: { burst: 2, perSeconds: 3 } });
    expect(changes).toStrictEqual([
      { keyId, changes: { roles: ['admin'], updatedAtMs: nowMs } },
      { keyId, changes: { rateLimit: null, updatedAtMs: nowMs } },
      { keyId, changes: { roles: ['user'], rateLimit: { burst: 2, perSeconds: 3 }, updatedAtMs: nowMs } },
    ]);
  });

  it('answers with the view of the updated key', async () => {
    const { apiKeys } = build();
    expect(await apiKeys.update(keyId, { rateLimit: 'unlimited' })).toMatchObject({
      key_id: keyId,
      rate_limit: 'unlimited',
    });
  });

  it('refuses an invalid patch with admin API paths, without a store call', async () => {
    const { apiKeys, calls } = build();
    const error = await rejectionOf(apiKeys.update(keyId, { rateLimit: { burst: 0, perSeconds: 1 } }));
    expect(error).toBeInstanceOf(ApiKeySettingsInvalidError);
    expect((error as ApiKeySettingsInvalidError).errors?.map((e) => e.path)).toEqual(['/rate_limit/burst']);
    expect(calls).toEqual([]);
  });

  it('refuses an id that is not a string as missing', async () => {
    const { apiKeys } = build();
    const error = await rejectionOf(apiKeys.update(42 as never, { roles: ['admin'] }));
    expect(error).toBeInstanceOf(ApiKeyNotFoundError);
    expect((error as ApiKeyNotFoundError).reason).toBe('missing');
  });

  it('refuses an id that only reads as a valid one, such as a list holding it, without a store call', async () => {
    const { apiKeys, calls } = build();
    for (const id of [[keyId], { toString: () => keyId }]) {
      expect(await rejectionOf(apiKeys.update(id as never, { roles: ['admin'] }))).toBeInstanceOf(
        ApiKeyNotFoundError,
      );
      expect(await rejectionOf(apiKeys.revoke(id as never))).toBeInstanceOf(ApiKeyNotFoundError);
    }
    expect(calls).toEqual([]);
  });
});

describe('createApiKeys().revoke', () => {
  it('revokes at the current time and answers with the revoked key', async () => {
    const { apiKeys, revoked } = build();
    expect(await apiKeys.revoke(keyId)).toMatchObject({ key_id: keyId, revoked: true });
    expect(revoked).toEqual([{ keyId, updatedAtMs: nowMs }]);
  });
});

describe('createApiKeys().list', () => {
  it('lists keys oldest first, and by id among keys created at the same time', async () => {
    const listed = [
      metadata('bwk_cccccccccccccccccccc', { createdAtMs: 2 }),
      metadata('bwk_bbbbbbbbbbbbbbbbbbbb', { createdAtMs: 1 }),
      metadata('bwk_dddddddddddddddddddd', { createdAtMs: 1 }),
      metadata('bwk_aaaaaaaaaaaaaaaaaaaa', { createdAtMs: 3 }),
      metadata('bwk_bbbbbbbbbbbbbbbbbbbb', { createdAtMs: 1, name: 'same id again' }),
    ];
    const { apiKeys } = build(undefined, undefined, listed);
    expect((await apiKeys.list()).map((key) => [key.key_id, key.name])).toEqual([
      ['bwk_bbbbbbbbbbbbbbbbbbbb', 'ci'],
      ['bwk_bbbbbbbbbbbbbbbbbbbb', 'same id again'],
      ['bwk_dddddddddddddddddddd', 'ci'],
      ['bwk_cccccccccccccccccccc', 'ci'],
      ['bwk_aaaaaaaaaaaaaaaaaaaa', 'ci'],
    ]);
  });

  it('never reorders what the store returned in place', async () => {
    const listed = [
      metadata('bwk_cccccccccccccccccccc', { createdAtMs: 2 }),
      metadata(keyId, { createdAtMs: 1 }),
    ];
    const { apiKeys } = build(undefined, undefined, listed);
    await apiKeys.list();
    expect(listed.map((key) => key.keyId)).toEqual(['bwk_cccccccccccccccccccc', keyId]);
  });
});

describe('createApiKeys().verifyProvable: a cached record, proven by the caller (ADR 0005)', () => {
  const otherId = 'bwk_bbbbbbbbbbbbbbbbbbbb';
  const otherCredential = `${otherId}:${secret}`;

  it('reads the record the first time, then answers from the cache with its version', async () => {
    const { apiKeys, calls } = build({ [keyId]: storedKey({ version: 4 }) });
    expect(await apiKeys.verifyProvable(credential)).toEqual({
      keyId,
      roles: ['admin'],
      rateLimit: { burst: 5, perSeconds: 60 },
      version: 4,
      fromCache: false,
    });
    expect(await apiKeys.verifyProvable(credential)).toMatchObject({ version: 4, fromCache: true });
    expect(calls).toEqual(['get']);
  });

  it('caches what verify read too', async () => {
    const { apiKeys, calls } = build({ [keyId]: storedKey() });
    await apiKeys.verify(credential);
    expect(await apiKeys.verifyProvable(credential)).toMatchObject({ fromCache: true });
    expect(calls).toEqual(['get']);
  });

  it('reads again when asked for a fresh answer, and caches what it read', async () => {
    const records = { [keyId]: storedKey() };
    const { apiKeys, calls } = build(records);
    await apiKeys.verifyProvable(credential);
    records[keyId] = storedKey({ version: 2, roles: ['user'] });
    expect(await apiKeys.verifyProvable(credential, { fresh: true })).toMatchObject({
      roles: ['user'],
      version: 2,
      fromCache: false,
    });
    expect(await apiKeys.verifyProvable(credential)).toMatchObject({ version: 2, fromCache: true });
    expect(calls).toEqual(['get', 'get']);
  });

  it('never refuses from the cache: a secret the cached record does not know is checked against a read', async () => {
    const records = { [keyId]: storedKey() };
    const { apiKeys, calls } = build(records);
    await apiKeys.verifyProvable(credential);
    const rotatedSecret = 'Z'.repeat(43);
    records[keyId] = storedKey({ version: 2, secretHash: hashApiKeySecret(pepperValue, rotatedSecret) });
    expect(await apiKeys.verifyProvable(`${keyId}:${rotatedSecret}`)).toMatchObject({
      version: 2,
      fromCache: false,
    });
    expect(calls).toEqual(['get', 'get']);
    // And the secret the read no longer knows is refused by that read.
    const refused = await rejectionOf(apiKeys.verifyProvable(credential));
    expect((refused as ApiKeyInvalidError).reason).toBe('mismatch');
    expect(calls).toEqual(['get', 'get', 'get']);
  });

  it.each([
    ['revoked', { revoked: true }],
    ['expired', { expiresAtMs: nowMs }],
  ] as const)('refuses a %s key from a read, also when it was cached so', async (reason, change) => {
    const records = { [keyId]: storedKey(change) };
    const { apiKeys, calls } = build(records);
    for (let i = 0; i < 2; i += 1) {
      const refused = await rejectionOf(apiKeys.verifyProvable(credential));
      expect((refused as ApiKeyInvalidError).reason).toBe(reason);
    }
    expect(calls).toEqual(['get', 'get']);
  });

  it.each([
    ['"unlimited"', 'unlimited' as const],
    ['a bucket beyond the ceilings', { burst: 1_000_000, perSeconds: 1 }],
  ])('always reads a key whose limit is %s: no limiter write follows to prove it', async (_, rateLimit) => {
    const { apiKeys, calls } = build({ [keyId]: storedKey({ rateLimit }) });
    await apiKeys.verifyProvable(credential);
    expect(await apiKeys.verifyProvable(credential)).toMatchObject({ rateLimit, fromCache: false });
    expect(calls).toEqual(['get', 'get']);
  });

  it('refuses a malformed credential without reading the store or the pepper', async () => {
    const { apiKeys, calls, pepperCalls } = build({ [keyId]: storedKey() });
    const refused = await rejectionOf(apiKeys.verifyProvable('bwk_short:zz'));
    expect((refused as ApiKeyInvalidError).reason).toBe('malformed');
    expect([calls, pepperCalls()]).toEqual([[], 0]);
  });

  it('refuses an unknown key id from a read, caching nothing', async () => {
    const { apiKeys, calls } = build({});
    for (let i = 0; i < 2; i += 1) {
      const refused = await rejectionOf(apiKeys.verifyProvable(credential));
      expect((refused as ApiKeyInvalidError).reason).toBe('unknown');
    }
    expect(calls).toEqual(['get', 'get']);
  });

  it('lets a pepper that is not one fail from the cached path too', async () => {
    let pepper = pepperValue;
    const { apiKeys } = build({ [keyId]: storedKey() }, async () => pepper);
    await apiKeys.verifyProvable(credential);
    pepper = 'short';
    expect(await rejectionOf(apiKeys.verifyProvable(credential))).toBeInstanceOf(ConfigurationError);
  });

  it('keeps at most maxCachedRecords records, dropping the least recently used', async () => {
    const recording = recordingStore({ [keyId]: storedKey(), [otherId]: storedKey({ keyId: otherId }) });
    const apiKeys = createApiKeys({
      store: recording.store,
      clock: { nowMs: () => nowMs },
      pepper: async () => pepperValue,
      maxCachedRecords: 1,
    });
    await apiKeys.verifyProvable(credential);
    await apiKeys.verifyProvable(otherCredential);
    expect(await apiKeys.verifyProvable(otherCredential)).toMatchObject({ fromCache: true });
    expect(await apiKeys.verifyProvable(credential)).toMatchObject({ fromCache: false });
    expect(recording.calls).toEqual(['get', 'get', 'get']);
  });

  it('keeps 10,000 records by default', async () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const idOf = (n: number) =>
      `bwk_${Array.from({ length: 20 }, (_, place) => alphabet[Math.floor(n / 32 ** place) % 32]).join('')}`;
    const records: Record<string, ApiKeyRecord> = {};
    for (let n = 0; n <= 10_000; n += 1) records[idOf(n)] = storedKey({ keyId: idOf(n) });
    const { apiKeys, calls } = build(records);
    for (let n = 0; n < 10_000; n += 1) await apiKeys.verifyProvable(`${idOf(n)}:${secret}`);
    expect(await apiKeys.verifyProvable(`${idOf(0)}:${secret}`)).toMatchObject({ fromCache: true });
    // The 10,001st drops the least recently used (1; 0 was just used).
    await apiKeys.verifyProvable(`${idOf(10_000)}:${secret}`);
    calls.length = 0;
    expect(await apiKeys.verifyProvable(`${idOf(0)}:${secret}`)).toMatchObject({ fromCache: true });
    expect(await apiKeys.verifyProvable(`${idOf(1)}:${secret}`)).toMatchObject({ fromCache: false });
    expect(calls).toEqual(['get']);
  });
});

describe('createApiKeys().verify: the previous secret of a rotation', () => {
  const previousSecret = 'P'.repeat(43);
  const previousCredential = `${keyId}:${previousSecret}`;
  const rotatedKey = (overrides: Partial<ApiKeyRecord> = {}) =>
    storedKey({
      previousSecretHash: hashApiKeySecret(pepperValue, previousSecret),
      previousSecretExpiresAtMs: nowMs + 1,
      ...overrides,
    });

  it('accepts the previous secret until the millisecond its overlap ends, and the current one too', async () => {
    const { apiKeys } = build({ [keyId]: rotatedKey() });
    await expect(apiKeys.verify(previousCredential)).resolves.toEqual({
      keyId,
      roles: ['admin'],
      rateLimit: { burst: 5, perSeconds: 60 },
    });
    await expect(apiKeys.verify(credential)).resolves.toMatchObject({ keyId });
  });

  it.each([
    ['when its overlap ends now', rotatedKey({ previousSecretExpiresAtMs: nowMs })],
    ['when its overlap ended', rotatedKey({ previousSecretExpiresAtMs: nowMs - 60_000 })],
    ['when the record names no overlap end', rotatedKey({ previousSecretExpiresAtMs: undefined })],
  ])('refuses the previous secret as rotated %s, while the current one still works', async (_, record) => {
    const { apiKeys } = build({ [keyId]: record });
    const refused = await rejectionOf(apiKeys.verify(previousCredential));
    expect(refused).toBeInstanceOf(ApiKeyInvalidError);
    expect((refused as ApiKeyInvalidError).reason).toBe('rotated');
    await expect(apiKeys.verify(credential)).resolves.toMatchObject({ keyId });
  });

  it('refuses a secret that is neither the current nor the previous one as a mismatch', async () => {
    const { apiKeys } = build({ [keyId]: rotatedKey() });
    const refused = await rejectionOf(apiKeys.verify(`${keyId}:${'Q'.repeat(43)}`));
    expect((refused as ApiKeyInvalidError).reason).toBe('mismatch');
  });

  it.each([
    ['revoked', { revoked: true }],
    ['expired', { expiresAtMs: nowMs }],
  ] as const)(
    'refuses the previous secret of a %s key as such, inside the overlap',
    async (reason, change) => {
      const { apiKeys } = build({ [keyId]: rotatedKey(change) });
      const refused = await rejectionOf(apiKeys.verify(previousCredential));
      expect((refused as ApiKeyInvalidError).reason).toBe(reason);
    },
  );

  it('answers a cached previous secret from the cache only inside its overlap', async () => {
    let now = nowMs;
    const recording = recordingStore({ [keyId]: rotatedKey({ previousSecretExpiresAtMs: nowMs + 1_000 }) });
    const apiKeys = createApiKeys({
      store: recording.store,
      clock: { nowMs: () => now },
      pepper: async () => pepperValue,
    });
    await apiKeys.verifyProvable(previousCredential);
    expect(await apiKeys.verifyProvable(previousCredential)).toMatchObject({ fromCache: true });
    now = nowMs + 1_000;
    const refused = await rejectionOf(apiKeys.verifyProvable(previousCredential));
    expect((refused as ApiKeyInvalidError).reason).toBe('rotated');
    expect(recording.calls).toEqual(['get', 'get']);
  });
});

describe('createApiKeyRotation', () => {
  const rotating = (rotationOverlapSeconds?: number) => {
    let now = nowMs;
    const stored = inMemoryApiKeyStore([
      storedKey({ expiresAtMs: nowMs + 86_400_000, createdAtMs: nowMs - 5_000, updatedAtMs: nowMs - 5_000 }),
    ]);
    const rotated: string[] = [];
    const store: typeof stored = {
      ...stored,
      rotate: (id, rotation) => {
        rotated.push(id);
        return stored.rotate(id, rotation);
      },
    };
    const clock = { nowMs: () => now };
    let pepper = pepperValue;
    const deps = { store, clock, pepper: async () => pepper };
    return {
      store,
      rotated,
      keys: createApiKeys(deps),
      rotate: createApiKeyRotation(
        rotationOverlapSeconds === undefined ? deps : { ...deps, rotationOverlapSeconds },
      ),
      advance: (ms: number) => {
        now += ms;
      },
      setPepper: (value: string) => {
        pepper = value;
      },
    };
  };

  it('issues a new secret for the same key, keeping its settings; the old one works until the overlap ends', async () => {
    const { keys, rotate, advance, store } = rotating(3_600);
    const rotated = await rotate(keyId);
    const [rotatedId, newSecret] = rotated.apiKey.split(':');
    expect(rotatedId).toBe(keyId);
    expect(newSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret).not.toBe(secret);
    expect(rotated.key).toEqual({
      key_id: keyId,
      name: 'ci',
      roles: ['admin'],
      rate_limit: { burst: 5, per_seconds: 60 },
      expires_at: new Date(nowMs + 86_400_000).toISOString(),
      revoked: false,
      overlap_until: new Date(nowMs + 3_600_000).toISOString(),
      created_at: new Date(nowMs - 5_000).toISOString(),
      updated_at: new Date(nowMs).toISOString(),
    });
    expect(store.peek(keyId)).toMatchObject({
      secretHash: hashApiKeySecret(pepperValue, newSecret ?? ''),
      previousSecretHash: hashApiKeySecret(pepperValue, secret),
      previousSecretExpiresAtMs: nowMs + 3_600_000,
      updatedAtMs: nowMs,
      version: 2,
    });
    await expect(keys.verify(rotated.apiKey)).resolves.toMatchObject({ keyId });
    advance(3_600_000 - 1);
    await expect(keys.verify(credential)).resolves.toMatchObject({ keyId });
    advance(1);
    expect(((await rejectionOf(keys.verify(credential))) as ApiKeyInvalidError).reason).toBe('rotated');
    await expect(keys.verify(rotated.apiKey)).resolves.toMatchObject({ keyId });
  });

  it('takes a shorter overlap when asked, and an overlap of 0 stops the old secret at once', async () => {
    const { keys, rotate } = rotating(3_600);
    const short = await rotate(keyId, { overlapSeconds: 60 });
    expect(short.key.overlap_until).toBe(new Date(nowMs + 60_000).toISOString());
    const none = await rotate(keyId, { overlapSeconds: 0 });
    expect(none.key.overlap_until).toBeNull();
    expect(((await rejectionOf(keys.verify(short.apiKey))) as ApiKeyInvalidError).reason).toBe('mismatch');
    await expect(keys.verify(none.apiKey)).resolves.toMatchObject({ keyId });
  });

  it('accepts exactly the configured overlap', async () => {
    const { rotate } = rotating(3_600);
    const rotated = await rotate(keyId, { overlapSeconds: 3_600 });
    expect(rotated.key.overlap_until).toBe(new Date(nowMs + 3_600_000).toISOString());
  });

  it('allows no overlap when none is configured', async () => {
    const { keys, rotate, store } = rotating();
    const rotated = await rotate(keyId);
    expect(rotated.key.overlap_until).toBeNull();
    expect(store.peek(keyId)?.previousSecretHash).toBeUndefined();
    expect(((await rejectionOf(keys.verify(credential))) as ApiKeyInvalidError).reason).toBe('mismatch');
    const refused = await rejectionOf(rotate(keyId, { overlapSeconds: 1 }));
    expect((refused as ApiKeySettingsInvalidError).errors).toEqual([
      { path: '/overlap_seconds', message: 'must be a whole number from 0 to 0' },
    ]);
  });

  it.each([-1, 3_601, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '60' as unknown as number])(
    'refuses an overlap of %j with the admin API path and the bound, changing nothing',
    async (overlapSeconds) => {
      const { rotate, store } = rotating(3_600);
      const refused = await rejectionOf(rotate(keyId, { overlapSeconds }));
      expect(refused).toBeInstanceOf(ApiKeySettingsInvalidError);
      expect((refused as ApiKeySettingsInvalidError).errors).toEqual([
        { path: '/overlap_seconds', message: 'must be a whole number from 0 to 3600' },
      ]);
      expect(store.peek(keyId)?.version).toBe(1);
    },
  );

  it.each(['', 'bwk_short', 42 as unknown as string])(
    'answers 404 for an id that cannot exist (%j) without a store call',
    async (id) => {
      const { rotate, rotated } = rotating(3_600);
      const refused = await rejectionOf(rotate(id));
      expect(refused).toBeInstanceOf(ApiKeyNotFoundError);
      expect((refused as ApiKeyNotFoundError).reason).toBe('missing');
      expect(rotated).toEqual([]);
    },
  );

  it('fails as misconfiguration, changing nothing, when the pepper is too short', async () => {
    const { rotate, store, setPepper } = rotating(3_600);
    setPepper('p'.repeat(31));
    expect(await rejectionOf(rotate(keyId))).toBeInstanceOf(ConfigurationError);
    expect(store.peek(keyId)?.version).toBe(1);
  });
});
