import { describe, expect, it } from 'vitest';
import { classifyFailedRotation } from '../../../shared/domain/sessions/classify-failed-rotation.js';
import {
  createRefreshSessions,
  type RefreshSessionSettings,
  type RotationResult,
  SessionOwnerChangedError,
} from '../../../shared/domain/sessions/refresh-sessions.js';
import { parseSessionRef } from '../../../shared/domain/sessions/session-ref.js';
import type { SessionFamily, SessionStore } from '../../../shared/domain/sessions/session-store.js';
import { mutableClock } from '../../support/dynamodb-test-tables.js';
import { inMemorySessionStore } from '../../support/in-memory-session-store.js';
import { rejectionOf } from '../../support/rejection-of.js';

const t0 = Date.UTC(2030, 0, 7, 8, 0, 0);
const settings: RefreshSessionSettings = {
  absoluteLifetimeSeconds: 3_600,
  reuseGraceSeconds: 10,
  accessTokenLifetimeSeconds: 300,
};
const bob = { userId: 'user-bob', username: 'bob', roles: ['user', 'auditor'] };

const setup = (overrides: Partial<RefreshSessionSettings> = {}) => {
  const store = inMemorySessionStore();
  const clock = mutableClock(t0);
  const detected: string[] = [];
  const sessions = createRefreshSessions({
    store,
    clock,
    settings: { ...settings, ...overrides },
    onReuseDetected: (sessionId) => detected.push(sessionId),
  });
  return { store, clock, detected, sessions };
};

type CreateRequest = Parameters<SessionStore['create']>[0];

/** Sessions over the in-memory store, with every create request the domain sent kept for inspection. */
const recordingSetup = () => {
  const store = inMemorySessionStore();
  const clock = mutableClock(t0);
  const creates: CreateRequest[] = [];
  const sessions = createRefreshSessions({
    store: {
      ...store,
      create: (request) => {
        creates.push(request);
        return store.create(request);
      },
    },
    clock,
    settings,
  });
  return { store, clock, creates, sessions };
};

const tokenOf = (result: RotationResult): string => {
  if (result.outcome !== 'rotated') throw new Error(`expected a rotation, got ${result.outcome}`);
  return result.refreshToken;
};

const family = (overrides: Partial<SessionFamily> = {}): SessionFamily => ({
  familyId: 'f',
  sessionId: 's',
  userId: 'u',
  username: 'n',
  roles: [],
  currentHash: 'current',
  previousHash: 'previous',
  rotatedAtMs: t0,
  generation: 3,
  absoluteExpiresAtMs: t0 + 60_000,
  revoked: false,
  ...overrides,
});

describe('classifyFailedRotation', () => {
  it.each([
    ['no family', undefined, 'previous', t0, 'invalid'],
    ['a revoked family', family({ revoked: true }), 'previous', t0, 'invalid'],
    ['an expired family, even for an old token', family(), 'ancient', t0 + 60_000, 'invalid'],
    ['the current hash (a store inconsistency; never revoke on it)', family(), 'current', t0, 'invalid'],
    ['the previous token at the start of the grace window', family(), 'previous', t0, 'superseded'],
    ['the previous token at the end of the grace window', family(), 'previous', t0 + 10_000, 'superseded'],
    [
      'the previous token when this clock is behind the rotation',
      family(),
      'previous',
      t0 - 500,
      'superseded',
    ],
    ['the previous token just after the grace window', family(), 'previous', t0 + 10_001, 'reuse_detected'],
    ['an older token inside the grace window', family(), 'ancient', t0 + 1, 'reuse_detected'],
    [
      'a first-generation family with a wrong secret',
      family({ previousHash: undefined, rotatedAtMs: undefined, generation: 0 }),
      'forged',
      t0,
      'reuse_detected',
    ],
  ] as const)('judges %s', (_label, stored, presented, nowMs, expected) => {
    expect(classifyFailedRotation(stored, presented, nowMs, 10_000)).toBe(expected);
  });
});

describe('createRefreshSessions', () => {
  it.each([
    [{ absoluteLifetimeSeconds: 0 }],
    [{ absoluteLifetimeSeconds: 1.5 }],
    [{ reuseGraceSeconds: -1 }],
    [{ reuseGraceSeconds: 3_600 }],
    [{ accessTokenLifetimeSeconds: Number.NaN }],
    [{ lifetime: 5 } as Partial<RefreshSessionSettings>],
  ])('refuses the settings %j when built', (overrides) => {
    expect(() => setup(overrides)).toThrow(TypeError);
  });

  it('says which setting is wrong and what it must be', () => {
    expect(() => setup({ accessTokenLifetimeSeconds: 0 })).toThrow(
      'accessTokenLifetimeSeconds must be an integer >= 1',
    );
    expect(() => setup({ reuseGraceSeconds: -1 })).toThrow('reuseGraceSeconds must be an integer >= 0');
    expect(() => setup({ reuseGraceSeconds: 3_600 })).toThrow(
      'reuseGraceSeconds must be shorter than absoluteLifetimeSeconds',
    );
    expect(() => setup({ lifetime: 5, grace: 1 } as Partial<RefreshSessionSettings>)).toThrow(
      'unknown refresh session settings: lifetime, grace',
    );
  });

  it('accepts no grace at all', () => {
    expect(() => setup({ reuseGraceSeconds: 0 })).not.toThrow();
  });

  it('refuses a principal without ids or with non-string roles', async () => {
    const { sessions, store } = setup();
    await expect(sessions.start({ ...bob, userId: '' })).rejects.toThrow(TypeError);
    await expect(sessions.start({ ...bob, roles: [1] as unknown as string[] })).rejects.toThrow(TypeError);
    expect(store.calls()).toEqual([]);
  });

  it.each([
    ['an empty user id', { userId: '' }, 'userId must be a non-empty string'],
    ['a numeric user id', { userId: 7 }, 'userId must be a non-empty string'],
    ['an empty username', { username: '' }, 'username must be a non-empty string'],
    ['a numeric username', { username: 7 }, 'username must be a non-empty string'],
    ['roles that are not a list', { roles: 'user' }, 'roles must be an array of non-empty strings'],
    ['an empty role', { roles: ['user', ''] }, 'roles must be an array of non-empty strings'],
    ['a numeric role', { roles: ['user', 1] }, 'roles must be an array of non-empty strings'],
  ])('refuses a principal with %s, naming the field', async (_label, change, message) => {
    const { sessions, store } = setup();
    await expect(sessions.start({ ...bob, ...change } as never)).rejects.toThrow(message);
    expect(store.calls()).toEqual([]);
  });

  it('keeps a family a day past its absolute expiry, so a late replay still finds it', async () => {
    const store = inMemorySessionStore();
    const ttls: number[] = [];
    const sessions = createRefreshSessions({
      store: {
        ...store,
        create: (request) => {
          ttls.push(request.expiresAtSeconds);
          return store.create(request);
        },
      },
      clock: mutableClock(t0 + 500),
      settings,
    });
    const started = await sessions.start(bob);
    expect(started.absoluteExpiresAtMs).toBe(t0 + 500 + 3_600_000);
    expect(ttls).toEqual([Math.ceil((t0 + 500 + 3_600_000) / 1000) + 86_400]);
  });

  it('ties a session to the user record the login read: the record must still be at that revision and gains a reference to the session', async () => {
    const { sessions, creates } = recordingSetup();
    const started = await sessions.start({ ...bob, revision: 0 });
    const [request] = creates;
    expect(request?.owner).toEqual({ username: 'bob', revision: 0, ref: expect.any(String) });
    expect(parseSessionRef(request?.owner?.ref ?? '')).toEqual({
      sessionId: started.sessionId,
      familyId: request?.family.familyId,
      expiresAtSeconds: Math.ceil((t0 + 3_600_000) / 1000) + 86_400,
    });
    await sessions.start({ ...bob, revision: 7 });
    expect(creates[1]?.owner).toMatchObject({ username: 'bob', revision: 7 });
  });

  it('ties a session to no user record when the login read no revision', async () => {
    const { sessions, creates } = recordingSetup();
    await sessions.start(bob);
    expect(creates).toHaveLength(1);
    expect(creates[0]).not.toHaveProperty('owner');
  });

  it('starts no session when the user record changed since the login read it, saying so with a stable code', async () => {
    const store = inMemorySessionStore();
    const sessions = createRefreshSessions({
      store: { ...store, create: async () => 'owner_changed' },
      clock: mutableClock(t0),
      settings,
    });
    const error = await rejectionOf(sessions.start({ ...bob, revision: 3 }));
    expect(error).toBeInstanceOf(SessionOwnerChangedError);
    expect(error).toMatchObject({
      code: 'ERR_SESSION_OWNER_CHANGED',
      name: 'SessionOwnerChangedError',
      message: 'the user record changed while the login was checked',
    });
  });

  it('revokes every session a user record names, skipping a malformed reference, each marker kept until its access tokens expired', async () => {
    const { sessions, store, clock, creates } = recordingSetup();
    const first = await sessions.start({ ...bob, revision: 1 });
    const second = await sessions.start({ ...bob, revision: 2 });
    clock.advance(2_500);
    const refs = creates.map((request) => request.owner?.ref ?? '');
    expect(await sessions.revokeRefs([...refs, 'hand-edited'], 'password_change')).toBe(2);
    for (const { sessionId } of [first, second]) {
      expect(store.marker(sessionId)).toEqual({
        reason: 'password_change',
        revokedAtMs: t0 + 2_500,
        expiresAtSeconds: Math.ceil((t0 + 2_500) / 1000) + 300 + 60,
      });
    }
    expect(await sessions.rotate(first.refreshToken)).toEqual({ outcome: 'invalid' });
    expect(await sessions.rotate(second.refreshToken)).toEqual({ outcome: 'invalid' });
  });

  it('answers invalid to a malformed refresh token without a store call', async () => {
    const { sessions, store } = setup();
    expect(await sessions.rotate('brt_not-a-token')).toEqual({ outcome: 'invalid' });
    expect(store.calls()).toEqual([]);
  });

  it('detects a reuse without a reuse callback too', async () => {
    const store = inMemorySessionStore();
    const clock = mutableClock(t0);
    const sessions = createRefreshSessions({ store, clock, settings });
    const started = await sessions.start(bob);
    tokenOf(await sessions.rotate(started.refreshToken));
    clock.advance(10_001);
    expect(await sessions.rotate(started.refreshToken)).toEqual({
      outcome: 'reuse_detected',
      sessionId: started.sessionId,
    });
  });

  it('answers unknown, writing nothing, to a logout for a session, token or family that does not exist', async () => {
    const { sessions, store } = setup();
    expect(await sessions.revokeSession('c2Vzc2lvbi1pZC1mb3ItdA', 'logout')).toBe('unknown');
    expect(await sessions.revokeRefreshToken('not a token', 'logout')).toBe('unknown');
    expect(await sessions.revokeRefreshToken(`brt_${'A'.repeat(22)}.${'A'.repeat(43)}`, 'logout')).toBe(
      'unknown',
    );
    expect(store.calls()).toEqual(['findFamilyIdOfSession', 'findFamily']);
  });

  it('logs out with any token of the family, revoking the family and its session', async () => {
    const { sessions, clock } = setup();
    const started = await sessions.start(bob);
    const current = tokenOf(await sessions.rotate(started.refreshToken));
    clock.advance(20_000);
    expect(await sessions.revokeRefreshToken(started.refreshToken, 'logout')).toBe('revoked');
    expect(await sessions.isSessionRevoked(started.sessionId)).toBe(true);
    expect(await sessions.rotate(current)).toEqual({ outcome: 'invalid' });
  });

  it('revokes a family at logout only for its own user: another user’s token is an unknown one', async () => {
    // Found by a review: logout revoked the family of any refresh token presented, whoever was logged in.
    const { sessions } = setup();
    const bobs = await sessions.start(bob);
    expect(await sessions.revokeRefreshToken(bobs.refreshToken, 'logout', { ownedBy: 'user-mallory' })).toBe(
      'unknown',
    );
    expect(await sessions.isSessionRevoked(bobs.sessionId)).toBe(false);
    expect(await sessions.revokeRefreshToken(bobs.refreshToken, 'logout', { ownedBy: bob.userId })).toBe(
      'revoked',
    );
    expect(await sessions.isSessionRevoked(bobs.sessionId)).toBe(true);
  });

  it('logs out with an access token by its session id', async () => {
    const { sessions, store } = setup();
    const started = await sessions.start(bob);
    expect(await sessions.revokeSession(started.sessionId, 'logout')).toBe('revoked');
    expect(store.marker(started.sessionId)).toMatchObject({ reason: 'logout' });
  });

  it('fails loudly instead of sharing a session when the random source repeats itself', async () => {
    const store = inMemorySessionStore();
    const sessions = createRefreshSessions({
      store,
      clock: mutableClock(t0),
      settings,
      random: (byteLength) => new Uint8Array(byteLength),
    });
    await sessions.start(bob);
    await expect(sessions.start(bob)).rejects.toThrow(/random source/);
  });

  it('copies the roles so later changes by the caller do not leak into the session', async () => {
    const { sessions } = setup();
    const roles = ['user'];
    const started = await sessions.start({ ...bob, roles });
    roles.push('admin');
    expect(await sessions.rotate(started.refreshToken)).toMatchObject({ session: { roles: ['user'] } });
  });

  it('does not revoke or count anything for a superseded token', async () => {
    const { sessions, store, clock, detected } = setup();
    const started = await sessions.start(bob);
    tokenOf(await sessions.rotate(started.refreshToken));
    clock.advance(10_000);
    expect(await sessions.rotate(started.refreshToken)).toEqual({ outcome: 'superseded' });
    expect(store.calls()).toEqual(['create', 'rotate', 'rotate']);
    expect(detected).toEqual([]);
  });

  it('with no grace window, only a replay in the same millisecond as the rotation is superseded', async () => {
    const { sessions, clock, detected } = setup({ reuseGraceSeconds: 0 });
    const started = await sessions.start(bob);
    tokenOf(await sessions.rotate(started.refreshToken));
    expect(await sessions.rotate(started.refreshToken)).toEqual({ outcome: 'superseded' });
    clock.advance(1);
    expect(await sessions.rotate(started.refreshToken)).toMatchObject({ outcome: 'reuse_detected' });
    expect(detected).toEqual([started.sessionId]);
  });

  it('revokes and reports a reuse once, keeping the marker until every access token has expired', async () => {
    const { sessions, store, clock, detected } = setup();
    const started = await sessions.start(bob);
    const current = tokenOf(await sessions.rotate(started.refreshToken));
    clock.advance(10_500);
    expect(await sessions.rotate(started.refreshToken)).toEqual({
      outcome: 'reuse_detected',
      sessionId: started.sessionId,
    });
    expect(store.calls()).toEqual(['create', 'rotate', 'rotate', 'revoke']);
    expect(detected).toEqual([started.sessionId]);
    expect(store.marker(started.sessionId)).toEqual({
      reason: 'refresh_reuse',
      revokedAtMs: t0 + 10_500,
      expiresAtSeconds: Math.ceil((t0 + 10_500) / 1000) + 300 + 60,
    });
    expect(await sessions.rotate(current)).toEqual({ outcome: 'invalid' });
    expect(detected).toHaveLength(1);
  });

  it('answers invalid to every token of an expired family without revoking it', async () => {
    const { sessions, store, clock, detected } = setup();
    const started = await sessions.start(bob);
    const current = tokenOf(await sessions.rotate(started.refreshToken));
    clock.advance(3_600_000);
    expect(await sessions.rotate(current)).toEqual({ outcome: 'invalid' });
    expect(await sessions.rotate(started.refreshToken)).toEqual({ outcome: 'invalid' });
    expect(store.calls()).not.toContain('revoke');
    expect(detected).toEqual([]);
  });

  it('refuses a malformed session id as a caller mistake rather than answering "not revoked"', async () => {
    const { sessions, store } = setup();
    await expect(sessions.isSessionRevoked('not-a-session')).rejects.toThrow(TypeError);
    await expect(sessions.revokeSession('x', 'logout')).rejects.toThrow(TypeError);
    expect(store.calls()).toEqual([]);
  });
});
