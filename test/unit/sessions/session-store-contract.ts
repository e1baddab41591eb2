import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewSessionFamily, SessionStore } from '../../../shared/domain/sessions/session-store.js';

const t0 = Date.UTC(2030, 0, 7, 9, 0, 0);
const id = (bytes = 16): string => randomBytes(bytes).toString('base64url');

const newFamily = (overrides: Partial<NewSessionFamily> = {}): NewSessionFamily => ({
  familyId: id(),
  sessionId: id(),
  userId: 'user-1',
  username: 'alice',
  roles: ['user', 'admin'],
  currentHash: id(32),
  absoluteExpiresAtMs: t0 + 3_600_000,
  ...overrides,
});
const ttl = Math.ceil((t0 + 3_600_000) / 1000) + 86_400;

/**
 * What every SessionStore must do, run against the in-memory fake (unit) and the DynamoDB adapter
 * (integration), so the fake the domain tests rely on cannot drift from the real thing.
 */
export const describeSessionStoreContract = (name: string, storeOf: () => SessionStore): void => {
  describe(`SessionStore contract: ${name}`, () => {
    it('creates a family with its pointer, at generation 0, not revoked, with no previous hash', async () => {
      const store = storeOf();
      const family = newFamily();
      expect(await store.create({ family, expiresAtSeconds: ttl })).toBe('created');
      expect(await store.findFamily(family.familyId)).toEqual({
        ...family,
        previousHash: undefined,
        rotatedAtMs: undefined,
        generation: 0,
        revoked: false,
      });
      expect(await store.findFamilyIdOfSession(family.sessionId)).toBe(family.familyId);
    });

    it('reports a collision instead of overwriting an existing family or session', async () => {
      const store = storeOf();
      const family = newFamily();
      await store.create({ family, expiresAtSeconds: ttl });
      expect(await store.create({ family: { ...family, sessionId: id() }, expiresAtSeconds: ttl })).toBe(
        'collision',
      );
      expect(await store.create({ family: { ...family, familyId: id() }, expiresAtSeconds: ttl })).toBe(
        'collision',
      );
      expect((await store.findFamily(family.familyId))?.sessionId).toBe(family.sessionId);
    });

    it('rotates only the current hash, and returns the stored family when the condition fails', async () => {
      const store = storeOf();
      const family = newFamily();
      await store.create({ family, expiresAtSeconds: ttl });
      const next = id(32);
      const rotated = await store.rotate({
        familyId: family.familyId,
        presentedHash: family.currentHash,
        nextHash: next,
        nowMs: t0 + 1000,
      });
      const expected = {
        ...family,
        currentHash: next,
        previousHash: family.currentHash,
        rotatedAtMs: t0 + 1000,
        generation: 1,
        revoked: false,
      };
      expect(rotated).toEqual({ rotated: true, family: expected });
      const again = await store.rotate({
        familyId: family.familyId,
        presentedHash: family.currentHash,
        nextHash: id(32),
        nowMs: t0 + 2000,
      });
      expect(again).toEqual({ rotated: false, family: expected });
      expect(await store.findFamily(family.familyId)).toEqual(expected);
    });

    it('does not rotate an unknown, expired or revoked family, and creates nothing', async () => {
      const store = storeOf();
      const unknownId = id();
      expect(
        await store.rotate({ familyId: unknownId, presentedHash: id(32), nextHash: id(32), nowMs: t0 }),
      ).toEqual({ rotated: false, family: undefined });
      expect(await store.findFamily(unknownId)).toBeUndefined();

      const expiring = newFamily();
      await store.create({ family: expiring, expiresAtSeconds: ttl });
      const atExpiry = await store.rotate({
        familyId: expiring.familyId,
        presentedHash: expiring.currentHash,
        nextHash: id(32),
        nowMs: expiring.absoluteExpiresAtMs,
      });
      expect(atExpiry).toMatchObject({ rotated: false, family: { generation: 0 } });

      const revoked = newFamily();
      await store.create({ family: revoked, expiresAtSeconds: ttl });
      await store.revoke({
        familyId: revoked.familyId,
        sessionId: revoked.sessionId,
        reason: 'logout',
        revokedAtMs: t0,
        markerExpiresAtSeconds: ttl,
      });
      const afterRevoke = await store.rotate({
        familyId: revoked.familyId,
        presentedHash: revoked.currentHash,
        nextHash: id(32),
        nowMs: t0 + 1,
      });
      expect(afterRevoke).toMatchObject({ rotated: false, family: { revoked: true, generation: 0 } });
    });

    it('revokes family and session together, idempotently; an unknown or mismatched pair writes nothing', async () => {
      const store = storeOf();
      const family = newFamily();
      await store.create({ family, expiresAtSeconds: ttl });
      const revoke = { familyId: family.familyId, sessionId: family.sessionId, revokedAtMs: t0 };
      expect(await store.isRevoked(family.sessionId)).toBe(false);
      expect(await store.revoke({ ...revoke, reason: 'logout', markerExpiresAtSeconds: ttl })).toBe(
        'revoked',
      );
      expect(await store.revoke({ ...revoke, reason: 'administrative', markerExpiresAtSeconds: ttl })).toBe(
        'revoked',
      );
      expect(await store.isRevoked(family.sessionId)).toBe(true);
      expect((await store.findFamily(family.familyId))?.revoked).toBe(true);

      const other = newFamily();
      await store.create({ family: other, expiresAtSeconds: ttl });
      const stranger = id();
      expect(
        await store.revoke({
          familyId: other.familyId,
          sessionId: stranger,
          reason: 'logout',
          revokedAtMs: t0,
          markerExpiresAtSeconds: ttl,
        }),
      ).toBe('unknown');
      expect(
        await store.revoke({
          familyId: id(),
          sessionId: other.sessionId,
          reason: 'logout',
          revokedAtMs: t0,
          markerExpiresAtSeconds: ttl,
        }),
      ).toBe('unknown');
      expect(await store.isRevoked(stranger)).toBe(false);
      expect(await store.isRevoked(other.sessionId)).toBe(false);
      expect((await store.findFamily(other.familyId))?.revoked).toBe(false);
      expect(await store.findFamilyIdOfSession(id())).toBeUndefined();
    });
  });
};
