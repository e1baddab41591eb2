import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { dynamoDbSessionStore } from '../../../shared/adapters/dynamodb/dynamodb-session-store.js';
import {
  createRefreshSessions,
  type RefreshSessions,
  type RotationResult,
} from '../../../shared/domain/sessions/refresh-sessions.js';
import { sessionRevocationKey } from '../../../shared/domain/sessions/session-revocation-key.js';
import type { SessionStore } from '../../../shared/domain/sessions/session-store.js';
import { DependencyUnavailableError } from '../../../shared/errors/request-errors.js';
import { freePort } from '../../../shared/local/dynamodb-local.js';
import { countCommands, type MutableClock, mutableClock } from '../../support/dynamodb-test-tables.js';
import { createSessionsTestTable } from './sessions-test-table.js';

const t0 = Date.UTC(2030, 0, 7, 8, 0, 0);
const settings = { absoluteLifetimeSeconds: 86_400, reuseGraceSeconds: 10, accessTokenLifetimeSeconds: 900 };
const alice = { userId: 'user-alice', username: 'alice', roles: ['user'] };

let client: DynamoDBClient;
let tableName: string;
let store: SessionStore;
let calls: ReturnType<typeof countCommands>;

beforeAll(async () => {
  ({ client, tableName } = await createSessionsTestTable());
  store = dynamoDbSessionStore(client, tableName);
  calls = countCommands(client);
});
afterAll(() => client.destroy());

const sessionsAt = (clock: MutableClock, onReuseDetected?: (sessionId: string) => void): RefreshSessions =>
  createRefreshSessions({
    store,
    clock,
    settings,
    ...(onReuseDetected === undefined ? {} : { onReuseDetected }),
  });

const familyIdOf = (refreshToken: string): string => refreshToken.slice(4, 26);

const rotatedToken = (result: RotationResult): string => {
  if (result.outcome !== 'rotated') throw new Error(`expected a rotation, got ${result.outcome}`);
  return result.refreshToken;
};

const rawItem = async (pk: string) =>
  (
    await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
    )
  ).Item;

const revocationMarker = (sessionId: string) => rawItem(sessionRevocationKey(sessionId));

describe('refresh sessions on DynamoDB Local', () => {
  it('starts a session in one call and rotates it in one call per rotation', async () => {
    const clock = mutableClock(t0);
    const sessions = sessionsAt(clock);
    calls.reset();
    const started = await sessions.start(alice);
    expect(calls.count()).toBe(1);
    expect(started.refreshToken).toMatch(/^brt_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(started.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(started.refreshToken).not.toContain(started.sessionId);
    expect(started.absoluteExpiresAtMs).toBe(t0 + 86_400_000);
    // TTL only cleans up, a day after the absolute expiry, so a late replay still finds the family.
    const ttl = { N: String(Math.ceil(started.absoluteExpiresAtMs / 1000) + 86_400) };
    const familyItem = await rawItem(`family#${familyIdOf(started.refreshToken)}`);
    expect(familyItem).toMatchObject({ expiresAt: ttl, generation: { N: '0' }, revoked: { BOOL: false } });
    expect(JSON.stringify(familyItem)).not.toContain(started.refreshToken.split('.')[1]);
    expect(await rawItem(`session#${started.sessionId}`)).toEqual({
      pk: { S: `session#${started.sessionId}` },
      familyId: { S: familyIdOf(started.refreshToken) },
      expiresAt: ttl,
    });

    clock.advance(60_000);
    calls.reset();
    const first = await sessions.rotate(started.refreshToken);
    expect(calls.count()).toBe(1);
    expect(first).toEqual({
      outcome: 'rotated',
      refreshToken: expect.stringMatching(/^brt_/),
      session: { sessionId: started.sessionId, ...alice, absoluteExpiresAtMs: started.absoluteExpiresAtMs },
    });
    const firstToken = rotatedToken(first);
    expect(familyIdOf(firstToken)).toBe(familyIdOf(started.refreshToken));
    expect(firstToken).not.toBe(started.refreshToken);

    clock.advance(60_000);
    calls.reset();
    expect((await sessions.rotate(firstToken)).outcome).toBe('rotated');
    expect(calls.count()).toBe(1);
    expect((await store.findFamily(familyIdOf(firstToken)))?.generation).toBe(2);
  });

  it('answers superseded to the previous token within the grace window and leaves the family working', async () => {
    const clock = mutableClock(t0);
    const sessions = sessionsAt(clock);
    const started = await sessions.start(alice);
    const next = rotatedToken(await sessions.rotate(started.refreshToken));
    const before = await store.findFamily(familyIdOf(next));

    clock.advance(10_000);
    calls.reset();
    expect(await sessions.rotate(started.refreshToken)).toEqual({ outcome: 'superseded' });
    expect(calls.count()).toBe(1);
    expect(await store.findFamily(familyIdOf(next))).toEqual(before);
    expect(await sessions.isSessionRevoked(started.sessionId)).toBe(false);
    expect((await sessions.rotate(next)).outcome).toBe('rotated');
  });

  it('detects reuse of the previous token after the grace window and revokes the family and its access tokens', async () => {
    const clock = mutableClock(t0);
    const detected: string[] = [];
    const sessions = sessionsAt(clock, (sessionId) => detected.push(sessionId));
    const started = await sessions.start(alice);
    const current = rotatedToken(await sessions.rotate(started.refreshToken));

    clock.advance(10_001);
    calls.reset();
    expect(await sessions.rotate(started.refreshToken)).toEqual({
      outcome: 'reuse_detected',
      sessionId: started.sessionId,
    });
    // The failed rotation, then one transaction revoking family and session.
    expect(calls.count()).toBe(2);
    expect(detected).toEqual([started.sessionId]);
    expect(await sessions.isSessionRevoked(started.sessionId)).toBe(true);
    expect((await store.findFamily(familyIdOf(current)))?.revoked).toBe(true);
    const marker = await revocationMarker(started.sessionId);
    expect(marker?.reason).toEqual({ S: 'refresh_reuse' });
    expect(marker?.revokedAtMs).toEqual({ N: String(t0 + 10_001) });
    expect(marker?.expiresAt).toEqual({ N: String(Math.ceil((t0 + 10_001) / 1000) + 900 + 60) });

    expect(await sessions.rotate(current)).toEqual({ outcome: 'invalid' });
    expect(await sessions.rotate(started.refreshToken)).toEqual({ outcome: 'invalid' });
    expect(detected).toHaveLength(1);
  });

  it('detects reuse of a token two generations old even inside the grace window', async () => {
    const clock = mutableClock(t0);
    const sessions = sessionsAt(clock);
    const started = await sessions.start(alice);
    const second = rotatedToken(await sessions.rotate(started.refreshToken));
    clock.advance(1_000);
    const third = rotatedToken(await sessions.rotate(second));
    clock.advance(1_000);
    expect(await sessions.rotate(started.refreshToken)).toEqual({
      outcome: 'reuse_detected',
      sessionId: started.sessionId,
    });
    expect(await sessions.rotate(third)).toEqual({ outcome: 'invalid' });
  });

  it('lets exactly one of 25 concurrent rotations of one token win; the others get no successor', async () => {
    const clock = mutableClock(t0);
    const sessions = sessionsAt(clock);
    const started = await sessions.start(alice);
    clock.advance(5_000);
    const results = await Promise.all(
      Array.from({ length: 25 }, () => sessions.rotate(started.refreshToken)),
    );
    const winners = results.filter((result) => result.outcome === 'rotated');
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => result.outcome === 'superseded')).toHaveLength(24);
    const family = await store.findFamily(familyIdOf(started.refreshToken));
    expect(family).toMatchObject({ generation: 1, revoked: false });
    expect(await sessions.isSessionRevoked(started.sessionId)).toBe(false);

    const winnerToken = rotatedToken(winners[0] as RotationResult);
    expect((await sessions.rotate(winnerToken)).outcome).toBe('rotated');
    expect((await store.findFamily(familyIdOf(started.refreshToken)))?.generation).toBe(2);
  });

  it('revokes once and never fails when several replays of a stale token race', async () => {
    const clock = mutableClock(t0);
    const detected: string[] = [];
    const sessions = sessionsAt(clock, (sessionId) => detected.push(sessionId));
    const started = await sessions.start(alice);
    rotatedToken(await sessions.rotate(started.refreshToken));
    clock.advance(60_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => sessions.rotate(started.refreshToken)),
    );
    const outcomes = new Set(results.map((result) => result.outcome));
    expect([...outcomes].every((outcome) => outcome === 'reuse_detected' || outcome === 'invalid')).toBe(
      true,
    );
    expect(outcomes.has('reuse_detected')).toBe(true);
    expect(detected.length).toBeGreaterThanOrEqual(1);
    expect(await sessions.isSessionRevoked(started.sessionId)).toBe(true);
    expect((await revocationMarker(started.sessionId))?.revokedAtMs).toEqual({ N: String(t0 + 60_000) });
  });

  it('never extends the absolute lifetime, and refuses rotation from the moment it ends', async () => {
    const clock = mutableClock(t0);
    const sessions = sessionsAt(clock);
    const started = await sessions.start(alice);
    let token = started.refreshToken;
    for (const advanceMs of [3_600_000, 40_000_000, 42_800_000 - 1]) {
      clock.advance(advanceMs);
      const result = await sessions.rotate(token);
      expect(result).toMatchObject({
        outcome: 'rotated',
        session: { absoluteExpiresAtMs: started.absoluteExpiresAtMs },
      });
      token = rotatedToken(result);
    }
    expect(clock.nowMs()).toBe(started.absoluteExpiresAtMs - 1);
    clock.advance(1);
    expect(await sessions.rotate(token)).toEqual({ outcome: 'invalid' });
    // Expiry is not abuse: the family is left alone, not revoked.
    expect((await store.findFamily(familyIdOf(token)))?.revoked).toBe(false);
  });

  it('treats a forged secret for a known family as reuse', async () => {
    const clock = mutableClock(t0);
    const sessions = sessionsAt(clock);
    const started = await sessions.start(alice);
    const forged = `brt_${familyIdOf(started.refreshToken)}.${Buffer.alloc(32, 7).toString('base64url')}`;
    expect(await sessions.rotate(forged)).toEqual({
      outcome: 'reuse_detected',
      sessionId: started.sessionId,
    });
    expect(await sessions.rotate(started.refreshToken)).toEqual({ outcome: 'invalid' });
  });

  it('answers invalid for an unknown family with one call and writes nothing', async () => {
    const sessions = sessionsAt(mutableClock(t0));
    const familyId = Buffer.alloc(16, 9).toString('base64url');
    calls.reset();
    expect(await sessions.rotate(`brt_${familyId}.${Buffer.alloc(32, 1).toString('base64url')}`)).toEqual({
      outcome: 'invalid',
    });
    expect(calls.count()).toBe(1);
    expect(await store.findFamily(familyId)).toBeUndefined();
  });

  it('answers invalid to malformed tokens without calling DynamoDB', async () => {
    const clock = mutableClock(t0);
    const sessions = sessionsAt(clock);
    const { refreshToken } = await sessions.start(alice);
    const [familyId, secret] = refreshToken.slice(4).split('.') as [string, string];
    const malformed = [
      '',
      `brx_${familyId}.${secret}`,
      `BRT_${familyId}.${secret}`,
      `${familyId}.${secret}`,
      `brt_${familyId}${secret}`,
      `brt_${familyId}.${secret}A`,
      `brt_${familyId}.${secret}`.padEnd(10_000, 'A'),
      `brt_${familyId}.${secret.slice(0, -1)}+`,
      `brt_${familyId.slice(0, -1)}/.${secret}`,
      `brt_${familyId}.${secret.slice(0, -1)}=`,
      `brt_${familyId}.${secret.slice(0, -1)}B`, // non-canonical: the last character carries unused bits
      ` ${refreshToken.slice(1)}`,
    ];
    calls.reset();
    for (const token of malformed) {
      expect(await sessions.rotate(token), JSON.stringify(token.slice(0, 80))).toEqual({
        outcome: 'invalid',
      });
      expect(await sessions.revokeRefreshToken(token, 'logout')).toBe('unknown');
    }
    expect(calls.count()).toBe(0);
    expect((await sessions.rotate(refreshToken)).outcome).toBe('rotated');
  });

  it('logs out with an access token: the session is revoked, rotation is refused, and a repeat is harmless', async () => {
    const clock = mutableClock(t0);
    const sessions = sessionsAt(clock);
    const started = await sessions.start(alice);
    const current = rotatedToken(await sessions.rotate(started.refreshToken));
    clock.advance(1_000);

    calls.reset();
    expect(await sessions.revokeSession(started.sessionId, 'logout')).toBe('revoked');
    expect(calls.count()).toBe(2);
    calls.reset();
    expect(await sessions.isSessionRevoked(started.sessionId)).toBe(true);
    expect(calls.count()).toBe(1);
    expect(await sessions.rotate(current)).toEqual({ outcome: 'invalid' });

    clock.advance(1_000);
    expect(await sessions.revokeSession(started.sessionId, 'administrative')).toBe('revoked');
    const marker = await revocationMarker(started.sessionId);
    expect(marker?.reason).toEqual({ S: 'logout' });
    expect(marker?.revokedAtMs).toEqual({ N: String(t0 + 1_000) });

    const stranger = Buffer.alloc(16, 3).toString('base64url');
    expect(await sessions.revokeSession(stranger, 'logout')).toBe('unknown');
    expect(await sessions.isSessionRevoked(stranger)).toBe(false);
  });

  it('logs out with a refresh token: its family and session are revoked, idempotently', async () => {
    const clock = mutableClock(t0);
    const sessions = sessionsAt(clock);
    const started = await sessions.start(alice);
    const other = await sessions.start({ ...alice, username: 'alice-on-another-device' });
    const current = rotatedToken(await sessions.rotate(started.refreshToken));

    calls.reset();
    expect(await sessions.revokeRefreshToken(current, 'logout')).toBe('revoked');
    expect(calls.count()).toBe(2);
    expect(await sessions.isSessionRevoked(started.sessionId)).toBe(true);
    expect(await sessions.rotate(current)).toEqual({ outcome: 'invalid' });
    expect(await sessions.revokeRefreshToken(current, 'logout')).toBe('revoked');

    expect(await sessions.isSessionRevoked(other.sessionId)).toBe(false);
    expect((await sessions.rotate(other.refreshToken)).outcome).toBe('rotated');
    const unknown = `brt_${Buffer.alloc(16, 4).toString('base64url')}.${Buffer.alloc(32, 4).toString('base64url')}`;
    expect(await sessions.revokeRefreshToken(unknown, 'logout')).toBe('unknown');
  });
});

describe('refresh sessions when DynamoDB is unreachable', () => {
  it('fails every operation with DependencyUnavailableError (503)', async () => {
    const port = await freePort();
    const closed = createDynamoDbClient({
      region: 'local',
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 1,
      connectionTimeoutMs: 500,
      requestTimeoutMs: 500,
    });
    try {
      const sessions = createRefreshSessions({
        store: dynamoDbSessionStore(closed, tableName),
        clock: mutableClock(t0),
        settings,
      });
      const token = `brt_${Buffer.alloc(16, 5).toString('base64url')}.${Buffer.alloc(32, 5).toString('base64url')}`;
      const sessionId = Buffer.alloc(16, 6).toString('base64url');
      const attempts: [string, () => Promise<unknown>][] = [
        ['start', () => sessions.start(alice)],
        ['rotate', () => sessions.rotate(token)],
        ['revokeSession', () => sessions.revokeSession(sessionId, 'logout')],
        ['revokeRefreshToken', () => sessions.revokeRefreshToken(token, 'logout')],
        ['isSessionRevoked', () => sessions.isSessionRevoked(sessionId)],
      ];
      for (const [name, attempt] of attempts) {
        const error = await attempt().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, name).toBeInstanceOf(DependencyUnavailableError);
        expect((error as DependencyUnavailableError).code, name).toBe('service-unavailable');
      }
    } finally {
      closed.destroy();
    }
  });
});
