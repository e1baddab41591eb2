/**
 * The DynamoDB users adapter against DynamoDB Local: the conditional put that keeps usernames unique,
 * under races, and the translation of an unreachable database into a domain error.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbClient } from '../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { dynamoDbUsersRepository } from '../../shared/adapters/dynamodb/dynamodb-users-repository.js';
import type { User } from '../../shared/domain/users/user.js';
import { DependencyUnavailableError } from '../../shared/errors/request-errors.js';
import { UserAlreadyExistsError } from '../../shared/errors/user-already-exists-error.js';
import { createTables } from '../../shared/local/create-tables.js';
import { freePort } from '../../shared/local/dynamodb-local.js';
import { rejectionOf } from '../support/rejection-of.js';

const password = 'correct horse battery staple';
let client: DynamoDBClient;
let tableName: string;
let passwordHash: string;

beforeAll(async () => {
  client = createDynamoDbClient({ region: 'us-east-1', endpoint: inject('dynamoDbEndpoint') });
  const names = await createTables(client, `it-users-${randomBytes(6).toString('hex')}-`);
  tableName = names.users;
  passwordHash = await bcrypt.hash(password, 4);
});

afterAll(() => {
  client?.destroy();
});

const userNamed = (username: string, overrides: Partial<User> = {}): User => ({
  id: randomUUID(),
  username,
  email: undefined,
  roles: ['user'],
  passwordHash,
  createdAt: '2026-11-23T12:00:00.000Z',
  ...overrides,
});

const storedItem = async (username: string): Promise<Record<string, AttributeValue> | undefined> => {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { username: { S: username } }, ConsistentRead: true }),
  );
  return Item;
};

describe('dynamoDbUsersRepository.create', () => {
  it('stores the user keyed by username with roles and the password hash, and no plaintext password', async () => {
    const repository = dynamoDbUsersRepository(client, tableName);
    const user = userNamed('it-first', { email: 'first@example.com', roles: ['user', 'admin'] });
    await repository.create(user);

    const item = await storedItem('it-first');
    expect(item).toEqual({
      username: { S: 'it-first' },
      id: { S: user.id },
      email: { S: 'first@example.com' },
      roles: { L: [{ S: 'user' }, { S: 'admin' }] },
      passwordHash: { S: passwordHash },
      createdAt: { S: '2026-11-23T12:00:00.000Z' },
      // Every administrative change increments it; a login's session write is conditional on it.
      revision: { N: '0' },
    });
    expect(await bcrypt.compare(password, item?.passwordHash?.S ?? '')).toBe(true);
    expect(Object.keys(item ?? {}).filter((name) => /^password$/i.test(name))).toEqual([]);
    expect(JSON.stringify(item)).not.toContain(password);
  });

  it('stores no email attribute for a user without one', async () => {
    await dynamoDbUsersRepository(client, tableName).create(userNamed('it-no-email'));
    const item = await storedItem('it-no-email');
    expect(Object.keys(item ?? {}).sort()).toEqual([
      'createdAt',
      'id',
      'passwordHash',
      'revision',
      'roles',
      'username',
    ]);
  });

  it('throws UserAlreadyExistsError for a taken username and leaves the first item untouched', async () => {
    const repository = dynamoDbUsersRepository(client, tableName);
    const first = userNamed('it-taken');
    await repository.create(first);
    const before = await storedItem('it-taken');

    const error = await rejectionOf(
      repository.create(userNamed('it-taken', { roles: ['admin'], passwordHash: '$2b$04$intruder' })),
    );
    expect(error).toBeInstanceOf(UserAlreadyExistsError);
    expect((error as UserAlreadyExistsError).code).toBe('user-already-exists');
    expect(await storedItem('it-taken')).toEqual(before);
    expect(before?.id).toEqual({ S: first.id });
  });

  it('lets exactly one of 20 concurrent creates of one username win; the other 19 get UserAlreadyExistsError', async () => {
    const repository = dynamoDbUsersRepository(client, tableName);
    const contenders = Array.from({ length: 20 }, () => userNamed('it-race'));
    const results = await Promise.allSettled(contenders.map((user) => repository.create(user)));

    const winners = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
    expect(winners).toHaveLength(1);
    const losers = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(losers).toHaveLength(19);
    for (const reason of losers) {
      expect(reason).toBeInstanceOf(UserAlreadyExistsError);
      expect((reason as UserAlreadyExistsError).code).toBe('user-already-exists');
    }
    const winner = contenders[winners[0] ?? -1];
    expect((await storedItem('it-race'))?.id).toEqual({ S: winner?.id });
  });

  it('throws DependencyUnavailableError, never a raw SDK error, when DynamoDB cannot be reached', async () => {
    const closedPort = await freePort();
    const unreachable = createDynamoDbClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${closedPort}`,
      maxAttempts: 1,
      requestTimeoutMs: 500,
      connectionTimeoutMs: 500,
    });
    try {
      const started = Date.now();
      const error = await rejectionOf(
        dynamoDbUsersRepository(unreachable, tableName).create(userNamed('it-unreachable')),
      );
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect((error as DependencyUnavailableError).code).toBe('service-unavailable');
      expect((error as DependencyUnavailableError).headers).toEqual({ 'Retry-After': '1' });
      expect((error as DependencyUnavailableError).cause).toMatchObject({ dependency: 'dynamodb' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      unreachable.destroy();
    }
    expect(await storedItem('it-unreachable')).toBeUndefined();
  });
});
