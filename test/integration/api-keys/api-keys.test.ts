/**
 * API keys end to end on DynamoDB Local: the domain service over the real adapter. Issue, verify,
 * revoke, expire, update and list, and what each costs in DynamoDB calls.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../shared/adapters/dynamodb/create-dynamodb-client.js';
import {
  ApiKeyRecordCorruptError,
  dynamoDbApiKeyRotationStore,
  dynamoDbApiKeyStore,
} from '../../../shared/adapters/dynamodb/dynamodb-api-key-store.js';
import type { ApiKeyRecord } from '../../../shared/domain/api-keys/api-key.js';
import {
  ApiKeyIdTakenError,
  ApiKeyInvalidError,
  type ApiKeyInvalidReason,
  ApiKeyNotFoundError,
  ApiKeySettingsInvalidError,
} from '../../../shared/domain/api-keys/api-key-errors.js';
import type { ApiKeyStore } from '../../../shared/domain/api-keys/api-key-store.js';
import {
  type ApiKeys,
  createApiKeyRotation,
  createApiKeys,
} from '../../../shared/domain/api-keys/create-api-keys.js';
import { DependencyUnavailableError } from '../../../shared/errors/request-errors.js';
import { freePort } from '../../../shared/local/dynamodb-local.js';
import { countCommands, type MutableClock, mutableClock } from '../../support/dynamodb-test-tables.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { createApiKeysTable } from './create-api-keys-table.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
const pepper = 'integration-pepper-0123456789-abcdefghijklmnop';

let client: DynamoDBClient;
let tableName: string;
let store: ApiKeyStore;
let calls: ReturnType<typeof countCommands>;
let clock: MutableClock;
let apiKeys: ApiKeys;

beforeAll(async () => {
  ({ client, tableName } = await createApiKeysTable());
  calls = countCommands(client);
  store = dynamoDbApiKeyStore(client, tableName);
});

beforeEach(() => {
  clock = mutableClock(t0);
  apiKeys = createApiKeys({ store, clock, pepper: async () => pepper });
});

afterAll(() => client?.destroy());

const expectRefused = async (presented: string, reason: ApiKeyInvalidReason): Promise<void> => {
  const error = await rejectionOf(apiKeys.verify(presented));
  expect(error).toBeInstanceOf(ApiKeyInvalidError);
  const invalid = error as ApiKeyInvalidError;
  expect(invalid.reason).toBe(reason);
  expect(invalid.code).toBe('invalid-credentials');
  expect(invalid.detail).toBe('The API key is not valid.');
};

const storedItem = async (keyId: string) =>
  (
    await client.send(
      new GetItemCommand({ TableName: tableName, Key: { keyId: { S: keyId } }, ConsistentRead: true }),
    )
  ).Item;

describe('issue and verify', () => {
  it('verifies a freshly issued key with one strongly consistent read, returning its id, roles and limit', async () => {
    const issued = await apiKeys.issue({
      name: 'billing export',
      roles: ['user'],
      rateLimit: { burst: 10, perSeconds: 60 },
    });
    expect(issued.apiKey).toMatch(/^bwk_[a-z2-7]{20}:[A-Za-z0-9_-]{43}$/);
    expect(issued.key).toMatchObject({
      key_id: issued.apiKey.slice(0, 24),
      name: 'billing export',
      roles: ['user'],
      rate_limit: { burst: 10, per_seconds: 60 },
      expires_at: null,
      revoked: false,
      created_at: '2030-01-07T12:00:00.000Z',
    });

    calls.reset();
    expect(await apiKeys.verify(issued.apiKey)).toEqual({
      keyId: issued.key.key_id,
      roles: ['user'],
      rateLimit: { burst: 10, perSeconds: 60 },
    });
    expect(calls.count()).toBe(1);
  });

  it('stores the peppered hash only: neither the secret nor the credential is in the item', async () => {
    const issued = await apiKeys.issue({ name: 'audit', roles: ['admin'] });
    const [keyId, secret] = issued.apiKey.split(':') as [string, string];
    const item = await storedItem(keyId);
    expect(JSON.stringify(item)).not.toContain(secret);
    expect(item?.secretHash?.S).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.keys(item ?? {}).sort()).toEqual([
      'createdAtMs',
      'keyId',
      'name',
      'revoked',
      'roles',
      'secretHash',
      'updatedAtMs',
      'version',
    ]);
    expect(item?.version).toEqual({ N: '1' });
  });

  it('refuses a wrong secret for a real key id as mismatch', async () => {
    const issued = await apiKeys.issue({ name: 'mismatch', roles: ['user'] });
    const wrong = `${issued.apiKey.slice(0, 25)}${issued.apiKey[25] === 'A' ? 'B' : 'A'}${issued.apiKey.slice(26)}`;
    expect(wrong).not.toBe(issued.apiKey);
    await expectRefused(wrong, 'mismatch');
  });

  it('refuses a well-formed credential whose key id does not exist as unknown', async () => {
    await expectRefused(`bwk_${'a'.repeat(20)}:${'A'.repeat(43)}`, 'unknown');
  });

  it('refuses the same secret under another pepper: the table alone cannot verify keys', async () => {
    const issued = await apiKeys.issue({ name: 'pepper', roles: ['user'] });
    const otherPepper = createApiKeys({ store, clock, pepper: async () => `${pepper}-rotated` });
    const error = await rejectionOf(otherPepper.verify(issued.apiKey));
    expect((error as ApiKeyInvalidError).reason).toBe('mismatch');
  });

  it('refuses a malformed credential without a single DynamoDB call', async () => {
    calls.reset();
    for (const presented of ['', 'not-a-key', `bwk_${'a'.repeat(20)}:${'A'.repeat(42)}`, `Bearer bwk_x:y`]) {
      await expectRefused(presented, 'malformed');
    }
    expect(calls.count()).toBe(0);
  });

  it('refuses a key once its expiry has passed, and accepts it until then', async () => {
    const issued = await apiKeys.issue({
      name: 'short-lived',
      roles: ['user'],
      expiresAt: new Date(t0 + 60_000).toISOString(),
    });
    expect(issued.key.expires_at).toBe('2030-01-07T12:01:00.000Z');
    clock.set(t0 + 59_999);
    await expect(apiKeys.verify(issued.apiKey)).resolves.toMatchObject({ keyId: issued.key.key_id });
    clock.set(t0 + 60_000);
    await expectRefused(issued.apiKey, 'expired');
  });

  it('refuses to issue a key that has already expired', async () => {
    clock.set(t0 + 1);
    const error = await rejectionOf(
      apiKeys.issue({ name: 'past', roles: ['user'], expiresAt: new Date(t0).toISOString() }),
    );
    expect(error).toBeInstanceOf(ApiKeySettingsInvalidError);
  });

  it('keeps the unlimited guard-rail breach visible: verify returns rateLimit "unlimited"', async () => {
    const issued = await apiKeys.issue({ name: 'batch', roles: ['admin'], rateLimit: 'unlimited' });
    expect(issued.key.rate_limit).toBe('unlimited');
    expect((await apiKeys.verify(issued.apiKey)).rateLimit).toBe('unlimited');
  });

  it('leaves the limit to the route (undefined) when none is given', async () => {
    const issued = await apiKeys.issue({ name: 'default', roles: ['user'] });
    expect(issued.key.rate_limit).toBeNull();
    expect((await apiKeys.verify(issued.apiKey)).rateLimit).toBeUndefined();
  });
});

describe('revoke', () => {
  it('refuses the very next request after a revoke, as revoked, and keeps the record', async () => {
    const issued = await apiKeys.issue({ name: 'to-revoke', roles: ['user'] });
    await apiKeys.verify(issued.apiKey);
    clock.advance(1_000);
    const view = await apiKeys.revoke(issued.key.key_id);
    expect(view).toMatchObject({ revoked: true, updated_at: '2030-01-07T12:00:01.000Z' });
    await expectRefused(issued.apiKey, 'revoked');
    expect((await storedItem(issued.key.key_id))?.version).toEqual({ N: '2' });
  });

  it('is idempotent: a second revoke answers the same record without another version', async () => {
    const issued = await apiKeys.issue({ name: 'twice', roles: ['user'] });
    const first = await apiKeys.revoke(issued.key.key_id);
    clock.advance(5_000);
    expect(await apiKeys.revoke(issued.key.key_id)).toEqual(first);
    expect((await storedItem(issued.key.key_id))?.version).toEqual({ N: '2' });
  });

  it('answers ApiKeyNotFoundError (404) for an id that does not exist, creating nothing', async () => {
    const keyId = `bwk_${'b'.repeat(20)}`;
    const error = await rejectionOf(apiKeys.revoke(keyId));
    expect(error).toBeInstanceOf(ApiKeyNotFoundError);
    expect((error as ApiKeyNotFoundError).code).toBe('not-found');
    expect((error as ApiKeyNotFoundError).reason).toBe('missing');
    expect(await storedItem(keyId)).toBeUndefined();
  });
});

describe('update', () => {
  it('changes roles and limit, which the next verify returns, and increments the version each time', async () => {
    const issued = await apiKeys.issue({ name: 'evolving', roles: ['user'] });
    clock.advance(1_000);
    const view = await apiKeys.update(issued.key.key_id, {
      roles: ['user', 'admin'],
      rateLimit: { burst: 3, perSeconds: 30 },
    });
    expect(view).toMatchObject({
      roles: ['user', 'admin'],
      rate_limit: { burst: 3, per_seconds: 30 },
      updated_at: '2030-01-07T12:00:01.000Z',
      created_at: '2030-01-07T12:00:00.000Z',
      name: 'evolving',
    });
    expect(await apiKeys.verify(issued.apiKey)).toEqual({
      keyId: issued.key.key_id,
      roles: ['user', 'admin'],
      rateLimit: { burst: 3, perSeconds: 30 },
    });
    expect((await storedItem(issued.key.key_id))?.version).toEqual({ N: '2' });

    await apiKeys.update(issued.key.key_id, { rateLimit: 'unlimited' });
    expect((await apiKeys.verify(issued.apiKey)).rateLimit).toBe('unlimited');
    await apiKeys.update(issued.key.key_id, { rateLimit: null });
    expect((await apiKeys.verify(issued.apiKey)).rateLimit).toBeUndefined();
    const item = await storedItem(issued.key.key_id);
    expect(item?.version).toEqual({ N: '4' });
    expect(item?.rateLimit).toBeUndefined();
    expect(item?.roles).toEqual({ L: [{ S: 'user' }, { S: 'admin' }] });
  });

  it('refuses to change a revoked key (404, reason revoked) and leaves it revoked and unchanged', async () => {
    const issued = await apiKeys.issue({ name: 'revoked-then-patched', roles: ['user'] });
    await apiKeys.revoke(issued.key.key_id);
    const before = await storedItem(issued.key.key_id);
    const error = await rejectionOf(apiKeys.update(issued.key.key_id, { roles: ['admin'] }));
    expect(error).toBeInstanceOf(ApiKeyNotFoundError);
    expect((error as ApiKeyNotFoundError).reason).toBe('revoked');
    expect(await storedItem(issued.key.key_id)).toEqual(before);
    await expectRefused(issued.apiKey, 'revoked');
  });

  it('refuses to change a key that does not exist, creating nothing', async () => {
    const keyId = `bwk_${'c'.repeat(20)}`;
    const error = await rejectionOf(apiKeys.update(keyId, { roles: ['admin'] }));
    expect((error as ApiKeyNotFoundError).reason).toBe('missing');
    expect(await storedItem(keyId)).toBeUndefined();
  });

  it('refuses an empty patch', async () => {
    const issued = await apiKeys.issue({ name: 'empty-patch', roles: ['user'] });
    expect(await rejectionOf(apiKeys.update(issued.key.key_id, {}))).toBeInstanceOf(
      ApiKeySettingsInvalidError,
    );
  });
});

describe('rate limit validation where it is written', () => {
  it.each([
    ['burst 0', { burst: 0, perSeconds: 60 }, '/rate_limit/burst'],
    ['a negative burst', { burst: -1, perSeconds: 60 }, '/rate_limit/burst'],
    ['a non-integer burst', { burst: 2.5, perSeconds: 60 }, '/rate_limit'],
    ['a burst over 1,000,000', { burst: 1_000_001, perSeconds: 60 }, '/rate_limit/burst'],
    ['per_seconds 0', { burst: 1, perSeconds: 0 }, '/rate_limit/per_seconds'],
    ['per_seconds over a week', { burst: 1, perSeconds: 604_801 }, '/rate_limit/per_seconds'],
    ['NaN', { burst: Number.NaN, perSeconds: 60 }, '/rate_limit'],
    ['Infinity', { burst: Number.POSITIVE_INFINITY, perSeconds: 60 }, '/rate_limit'],
    ['0 as a stand-in for unlimited', 0, '/rate_limit'],
    ['-1 as a stand-in for unlimited', -1, '/rate_limit'],
    ['"UNLIMITED"', 'UNLIMITED', '/rate_limit'],
    ['an empty object', {}, '/rate_limit'],
  ])('refuses %s on issue and on update, writing nothing', async (_label, rateLimit, path) => {
    const before = (await store.list()).length;
    const issueError = await rejectionOf(
      apiKeys.issue({ name: 'bad-limit', roles: ['user'], rateLimit: rateLimit as never }),
    );
    expect(issueError).toBeInstanceOf(ApiKeySettingsInvalidError);
    expect((issueError as ApiKeySettingsInvalidError).errors?.map((e) => e.path)).toContain(path);
    expect((await store.list()).length).toBe(before);

    const issued = await apiKeys.issue({ name: 'good-limit', roles: ['user'] });
    const updateError = await rejectionOf(
      apiKeys.update(issued.key.key_id, { rateLimit: rateLimit as never }),
    );
    expect(updateError).toBeInstanceOf(ApiKeySettingsInvalidError);
    expect((await storedItem(issued.key.key_id))?.version).toEqual({ N: '1' });
  });

  it('accepts the bounds themselves and the explicit "unlimited"', async () => {
    for (const rateLimit of [
      { burst: 1, perSeconds: 1 },
      { burst: 10_000, perSeconds: 604_800 },
      { burst: 10_000, perSeconds: 10 },
      'unlimited' as const,
    ]) {
      const issued = await apiKeys.issue({ name: 'bounds', roles: ['user'], rateLimit });
      expect((await apiKeys.verify(issued.apiKey)).rateLimit).toEqual(rateLimit);
    }
  });
});

describe('list', () => {
  it('returns every key, across Scan pages, oldest first, without secrets or hashes', async () => {
    const { client: listClient, tableName: listTable } = await createApiKeysTable();
    try {
      const listKeys = createApiKeys({
        store: dynamoDbApiKeyStore(listClient, listTable),
        clock,
        pepper: async () => pepper,
      });
      const issued = [];
      for (let index = 0; index < 30; index += 1) {
        clock.advance(1);
        issued.push(await listKeys.issue({ name: `key ${index}`, roles: ['user'] }));
      }
      // Scan pages hold 1 MB of items as stored (before projection): three ~380 KB items force pages.
      for (let index = 0; index < 3; index += 1) {
        await listClient.send(
          new PutItemCommand({
            TableName: listTable,
            Item: {
              keyId: { S: `bwk_${'z'.repeat(19)}${index + 2}` },
              name: { S: `padded ${index}` },
              roles: { L: [{ S: 'admin' }] },
              revoked: { BOOL: false },
              secretHash: { S: 'A'.repeat(43) },
              createdAtMs: { N: String(t0 + 1_000 + index) },
              updatedAtMs: { N: String(t0 + 1_000 + index) },
              version: { N: '1' },
              padding: { S: 'p'.repeat(380_000) },
            },
          }),
        );
      }
      await listKeys.revoke(issued[3]?.key.key_id ?? '');
      const scans = countCommands(listClient);
      const views = await listKeys.list();
      expect(scans.count()).toBeGreaterThanOrEqual(2);
      expect(views.map((view) => view.name)).toEqual([
        ...issued.map((_, index) => `key ${index}`),
        'padded 0',
        'padded 1',
        'padded 2',
      ]);
      expect(views[3]?.revoked).toBe(true);
      const json = JSON.stringify(views);
      for (const { apiKey } of issued) expect(json).not.toContain(apiKey.split(':')[1]);
      expect(json).not.toMatch(/secret|hash/i);
    } finally {
      listClient.destroy();
    }
  });
});

describe('adapter edges', () => {
  it('refuses to overwrite an existing key id (ApiKeyIdTakenError, a 500, never a silent replace)', async () => {
    const fixed = (size: number) => Buffer.alloc(size, 7);
    const fixedKeys = createApiKeys({ store, clock, pepper: async () => pepper, random: fixed });
    const first = await fixedKeys.issue({ name: 'first', roles: ['user'] });
    const error = await rejectionOf(fixedKeys.issue({ name: 'second', roles: ['admin'] }));
    expect(error).toBeInstanceOf(ApiKeyIdTakenError);
    expect((await storedItem(first.key.key_id))?.name).toEqual({ S: 'first' });
  });

  it('throws ApiKeyRecordCorruptError for an item it cannot read back, instead of guessing', async () => {
    const keyId = `bwk_${'d'.repeat(20)}`;
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { keyId: { S: keyId }, name: { S: 'hand edit' }, roles: { L: [{ S: 'root' }] } },
      }),
    );
    expect(await rejectionOf(store.get(keyId))).toBeInstanceOf(ApiKeyRecordCorruptError);
  });

  it('throws DependencyUnavailableError, never a raw SDK error, from every operation when DynamoDB is unreachable', async () => {
    const unreachable = createDynamoDbClient({
      region: 'local',
      endpoint: `http://127.0.0.1:${await freePort()}`,
      maxAttempts: 1,
      requestTimeoutMs: 500,
      connectionTimeoutMs: 500,
    });
    try {
      const down = dynamoDbApiKeyStore(unreachable, tableName);
      const record: ApiKeyRecord = {
        keyId: `bwk_${'e'.repeat(20)}`,
        name: 'down',
        roles: ['user'],
        rateLimit: undefined,
        expiresAtMs: undefined,
        revoked: false,
        secretHash: 'A'.repeat(43),
        createdAtMs: t0,
        updatedAtMs: t0,
        version: 1,
      };
      const downKeys = createApiKeys({ store: down, clock, pepper: async () => pepper });
      for (const operation of [
        () => down.create(record),
        () => down.get(record.keyId),
        () => down.list(),
        () => down.update(record.keyId, { roles: ['admin'], updatedAtMs: t0 }),
        () => down.revoke(record.keyId, t0),
        () => downKeys.verify(`${record.keyId}:${'A'.repeat(43)}`),
      ]) {
        const error = await rejectionOf(operation());
        expect(error).toBeInstanceOf(DependencyUnavailableError);
        expect((error as DependencyUnavailableError).code).toBe('service-unavailable');
        expect((error as DependencyUnavailableError).cause).toMatchObject({ dependency: 'dynamodb' });
      }
    } finally {
      unreachable.destroy();
    }
  });
});

describe('rotate', () => {
  const rotating = () => ({
    ...createApiKeys({ store, clock, pepper: async () => pepper }),
    rotate: createApiKeyRotation({
      store: dynamoDbApiKeyRotationStore(client, tableName),
      clock,
      pepper: async () => pepper,
      rotationOverlapSeconds: 3_600,
    }),
  });

  it('issues a new secret for the same key id; the old one works until the overlap ends, then never', async () => {
    const keys = rotating();
    const issued = await keys.issue({
      name: 'rotated',
      roles: ['user'],
      rateLimit: { burst: 5, perSeconds: 1 },
    });
    clock.advance(1_000);
    const rotated = await keys.rotate(issued.key.key_id);
    expect(rotated.apiKey.slice(0, 24)).toBe(issued.key.key_id);
    expect(rotated.apiKey).not.toBe(issued.apiKey);
    expect(rotated.key).toMatchObject({
      key_id: issued.key.key_id,
      roles: ['user'],
      rate_limit: { burst: 5, per_seconds: 1 },
      overlap_until: new Date(t0 + 1_000 + 3_600_000).toISOString(),
    });
    expect(JSON.stringify(rotated.key)).not.toContain(rotated.apiKey.slice(25));
    await expect(keys.verify(rotated.apiKey)).resolves.toMatchObject({ keyId: issued.key.key_id });
    await expect(keys.verify(issued.apiKey)).resolves.toMatchObject({ keyId: issued.key.key_id });
    clock.advance(3_600_000);
    apiKeys = keys;
    await expectRefused(issued.apiKey, 'rotated');
    await expect(keys.verify(rotated.apiKey)).resolves.toMatchObject({ keyId: issued.key.key_id });
  });

  it('a second rotation drops the first secret at once; overlap 0 stops the replaced secret at once', async () => {
    const keys = rotating();
    apiKeys = keys;
    const first = await keys.issue({ name: 'rotated twice', roles: ['user'] });
    const second = await keys.rotate(first.key.key_id);
    const third = await keys.rotate(first.key.key_id, { overlapSeconds: 0 });
    expect(third.key.overlap_until).toBeNull();
    await expectRefused(first.apiKey, 'mismatch');
    await expectRefused(second.apiKey, 'mismatch');
    await expect(keys.verify(third.apiKey)).resolves.toMatchObject({ keyId: first.key.key_id });
    const item = await storedItem(first.key.key_id);
    expect(item?.previousSecretHash).toBeUndefined();
    expect(item?.version?.N).toBe('3');
  });

  it('refuses an overlap longer than the configured one (422) and a revoked or unknown key (404)', async () => {
    const keys = rotating();
    const issued = await keys.issue({ name: 'bounded', roles: ['user'] });
    const tooLong = await rejectionOf(keys.rotate(issued.key.key_id, { overlapSeconds: 3_601 }));
    expect(tooLong).toBeInstanceOf(ApiKeySettingsInvalidError);
    expect((tooLong as ApiKeySettingsInvalidError).errors?.[0]?.path).toBe('/overlap_seconds');
    await keys.revoke(issued.key.key_id);
    expect(await rejectionOf(keys.rotate(issued.key.key_id))).toBeInstanceOf(ApiKeyNotFoundError);
    expect(await rejectionOf(keys.rotate('bwk_aaaaaaaaaaaaaaaaaaaa'))).toBeInstanceOf(ApiKeyNotFoundError);
  });

  it('stores the replaced hash but never answers with it', async () => {
    const keys = rotating();
    const issued = await keys.issue({ name: 'listed', roles: ['user'] });
    const rotated = await keys.rotate(issued.key.key_id);
    const item = await storedItem(issued.key.key_id);
    expect(item?.previousSecretHash?.S).toHaveLength(43);
    expect(JSON.stringify(rotated.key)).not.toContain(item?.previousSecretHash?.S ?? '-');
    expect(JSON.stringify(rotated.key)).not.toContain(item?.secretHash?.S ?? '-');
    const listed = (await store.get(issued.key.key_id)) ?? issued.key;
    expect(listed).toMatchObject({ previousSecretExpiresAtMs: expect.any(Number) });
  });
});
