/**
 * User administration on DynamoDB Local: the user record as the one place that ties sessions to their
 * user. A login's session transaction adds its reference to the record only while the record is the one
 * the login read; every administrative change bumps the revision and gets the references back in the
 * same write, revokes them, then forgets them. These tests prove that no session survives a change that
 * revokes, including one started by a login that raced the change.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbSessionStore } from '../../shared/adapters/dynamodb/dynamodb-session-store.js';
import { dynamoDbUsersRepository } from '../../shared/adapters/dynamodb/dynamodb-users-repository.js';
import {
  createRefreshSessions,
  type RefreshSessions,
  SessionOwnerChangedError,
} from '../../shared/domain/sessions/refresh-sessions.js';
import { revokeSessionRefs } from '../../shared/domain/sessions/revoke-session-refs.js';
import {
  createUserAdministration,
  type UserAdministration,
} from '../../shared/domain/users/administer-users.js';
import type { User } from '../../shared/domain/users/user.js';
import type { UsersRepository } from '../../shared/domain/users/users-repository.js';
import { UserChangedError, UserNotFoundError } from '../../shared/errors/user-errors.js';
import { createTestTables } from '../support/dynamodb-test-tables.js';
import { rejectionOf } from '../support/rejection-of.js';

let client: DynamoDBClient;
let users: UsersRepository;
let sessions: RefreshSessions;
let administration: UserAdministration;
const clock = { nowMs: () => Date.now() };

beforeAll(async () => {
  const created = await createTestTables();
  client = created.client;
  users = dynamoDbUsersRepository(client, created.tables.users);
  const store = dynamoDbSessionStore(client, created.tables.sessions, created.tables.users);
  sessions = createRefreshSessions({
    store,
    clock,
    settings: { absoluteLifetimeSeconds: 3600, reuseGraceSeconds: 0, accessTokenLifetimeSeconds: 600 },
  });
  administration = createUserAdministration({
    repository: users,
    revokeSessions: (refs, reason) =>
      revokeSessionRefs({ store, clock, accessTokenLifetimeSeconds: 600 }, refs, reason),
    hashPassword: async (password) => `hashed:${password}`,
    clock,
  });
});

afterAll(() => client?.destroy());

const newUser = async (): Promise<User> => {
  const user: User = {
    id: randomUUID(),
    username: `u-${randomUUID().slice(0, 8)}`,
    email: undefined,
    roles: ['user', 'admin'],
    passwordHash: 'hash',
    createdAt: new Date().toISOString(),
  };
  await users.create(user);
  return (await users.get(user.username)) as User;
};

/** What login does after the password check: a session tied to the record at the revision it read. */
const logIn = (user: User) =>
  sessions.start({
    userId: user.id,
    username: user.username,
    roles: user.roles,
    revision: user.revision ?? 0,
  });

describe('sessions tied to their user record', () => {
  it('adds each session to the record in the login transaction; revoking them ends every one at once', async () => {
    const user = await newUser();
    const first = await logIn(user);
    const second = await logIn(user);
    expect((await users.get(user.username))?.sessionRefs).toHaveLength(2);

    const { sessionsRevoked } = await administration.revokeSessions(user.username);
    expect(sessionsRevoked).toBe(2);
    for (const session of [first, second]) {
      expect(await sessions.isSessionRevoked(session.sessionId)).toBe(true);
      expect((await sessions.rotate(session.refreshToken)).outcome).toBe('invalid');
    }
    const after = await users.get(user.username);
    expect(after?.sessionRefs).toEqual([]);
    expect(after?.revision).toBe(1);
  });

  it('a login that read the record before a change fails its session write: no session, no reference', async () => {
    const user = await newUser();
    // The login has read the user (revision 0) and is checking the password when the admin acts.
    await administration.update(user.username, { roles: ['user'] });
    const error = await rejectionOf(logIn(user));
    expect(error).toBeInstanceOf(SessionOwnerChangedError);
    expect((await users.get(user.username))?.sessionRefs).toEqual([]);
    // A login that reads the record again starts normally, with the new roles.
    const fresh = (await users.get(user.username)) as User;
    await expect(logIn(fresh)).resolves.toMatchObject({ sessionId: expect.any(String) });
  });

  it('races: of logins and a revocation running together, every session that started is revoked or started after', async () => {
    const user = await newUser();
    const started = await Promise.allSettled([
      logIn(user),
      logIn(user),
      administration.revokeSessions(user.username),
      logIn(user),
    ]);
    const revocation = started[2];
    expect(revocation?.status).toBe('fulfilled');
    for (const [index, result] of started.entries()) {
      if (index === 2) continue;
      if (result.status === 'rejected') {
        expect(result.reason).toBeInstanceOf(SessionOwnerChangedError);
        continue;
      }
      // A login that won its write before the revocation's bump was among the references it revoked.
      const { sessionId } = result.value as { sessionId: string };
      expect(await sessions.isSessionRevoked(sessionId)).toBe(true);
    }
  });

  it('a disabled user starts no session even with the revision it read; enabling revokes nothing', async () => {
    const user = await newUser();
    const session = await logIn(user);
    const disabled = await administration.update(user.username, { disabled: true });
    expect(disabled).toMatchObject({ user: { disabled: true }, sessionsRevoked: 1 });
    expect(await sessions.isSessionRevoked(session.sessionId)).toBe(true);
    const current = (await users.get(user.username)) as User;
    expect(await rejectionOf(logIn(current))).toBeInstanceOf(SessionOwnerChangedError);
    expect((await administration.update(user.username, { disabled: false })).sessionsRevoked).toBe(0);
    await expect(logIn((await users.get(user.username)) as User)).resolves.toBeDefined();
  });

  it('a password reset writes the new hash and revokes every session', async () => {
    const user = await newUser();
    const session = await logIn(user);
    const { sessionsRevoked } = await administration.setPassword(user.username, 'a brand new password');
    expect(sessionsRevoked).toBe(1);
    expect((await users.get(user.username))?.passwordHash).toBe('hashed:a brand new password');
    expect(await sessions.isSessionRevoked(session.sessionId)).toBe(true);
  });

  it('deletes after revoking; a change between the steps is a conflict, a missing user a 404', async () => {
    const user = await newUser();
    const session = await logIn(user);
    const removed = await administration.remove(user.username);
    expect(removed.sessionsRevoked).toBe(1);
    expect(await sessions.isSessionRevoked(session.sessionId)).toBe(true);
    expect(await users.get(user.username)).toBeUndefined();
    expect(await rejectionOf(administration.remove(user.username))).toBeInstanceOf(UserNotFoundError);
    expect(await rejectionOf(administration.show('NOT A USERNAME'))).toBeInstanceOf(UserNotFoundError);

    const other = await newUser();
    expect(await rejectionOf(users.delete(other.username, 99))).toBeInstanceOf(UserChangedError);
    expect(await users.get(other.username)).toBeDefined();
  });

  it('lists users without hashes or session references', async () => {
    const user = await newUser();
    await logIn(user);
    const listed = (await administration.list()).find((candidate) => candidate.username === user.username);
    expect(listed).toMatchObject({ id: user.id, roles: ['user', 'admin'], disabled: false });
    expect(JSON.stringify(await administration.list())).not.toMatch(/hash|sessionRefs|revision/);
  });
});
