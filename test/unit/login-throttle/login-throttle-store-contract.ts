import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LoginThrottleStore } from '../../../shared/domain/login-throttle/login-throttle-store.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
const expiresAtSeconds = Math.ceil(t0 / 1000) + 7200;
/** Streaks older than this are over. */
const streakStartMs = t0 - 600_000;

/**
 * What every LoginThrottleStore must do, run against the in-memory fake (unit) and the DynamoDB adapter
 * (integration), so the fake the throttle's unit tests rely on cannot drift from the real conditions.
 */
export const describeLoginThrottleStoreContract = (name: string, storeOf: () => LoginThrottleStore): void => {
  describe(`LoginThrottleStore contract: ${name}`, () => {
    const key = () => `login#contract#${randomUUID()}`;
    const common = (k: string, nowMs = t0) => ({ key: k, nowMs, streakStartMs, expiresAtSeconds });

    it('reads nothing for a key without a streak', async () => {
      await expect(storeOf().read(key())).resolves.toBeUndefined();
    });

    it('starts a streak at 1, counts on while it runs and starts over once it is older than the start', async () => {
      const store = storeOf();
      const k = key();
      await expect(store.recordFailure(common(k))).resolves.toBe(1);
      await expect(store.recordFailure(common(k, t0 + 1))).resolves.toBe(2);
      await expect(store.read(k)).resolves.toEqual({ failures: 2, blockedUntilMs: 0, lastFailureMs: t0 + 1 });
      await store.blockUntil({ key: k, untilMs: t0 + 5_000, expiresAtSeconds });
      // A new streak: its start lies after the last failure, and the old block goes with it.
      await expect(
        store.recordFailure({ key: k, nowMs: t0 + 700_000, streakStartMs: t0 + 100_000, expiresAtSeconds }),
      ).resolves.toBe(1);
      await expect(store.read(k)).resolves.toEqual({
        failures: 1,
        blockedUntilMs: 0,
        lastFailureMs: t0 + 700_000,
      });
    });

    it('moves a block forward, never back', async () => {
      const store = storeOf();
      const k = key();
      await store.recordFailure(common(k));
      await store.blockUntil({ key: k, untilMs: t0 + 5_000, expiresAtSeconds });
      await store.blockUntil({ key: k, untilMs: t0 + 2_000, expiresAtSeconds });
      await expect(store.read(k)).resolves.toMatchObject({ blockedUntilMs: t0 + 5_000 });
      await store.blockUntil({ key: k, untilMs: t0 + 9_000, expiresAtSeconds });
      await expect(store.read(k)).resolves.toMatchObject({ blockedUntilMs: t0 + 9_000 });
    });

    it('clears a streak', async () => {
      const store = storeOf();
      const k = key();
      await store.recordFailure(common(k));
      await store.clear(k);
      await expect(store.read(k)).resolves.toBeUndefined();
    });

    it('counts a free attempt only on a running streak under the free attempts', async () => {
      const store = storeOf();
      const k = key();
      const free = { ...common(k), freeAttempts: 2 };
      await expect(store.countFreeAttempt(free)).resolves.toEqual({ applied: false, state: undefined });
      await expect(store.restartStreak(common(k))).resolves.toEqual({
        applied: true,
        state: { failures: 1, blockedUntilMs: 0, lastFailureMs: t0 },
      });
      await expect(store.countFreeAttempt({ ...free, nowMs: t0 + 1 })).resolves.toEqual({
        applied: true,
        state: { failures: 2, blockedUntilMs: 0, lastFailureMs: t0 + 1 },
      });
      await expect(store.countFreeAttempt({ ...free, nowMs: t0 + 2 })).resolves.toEqual({
        applied: false,
        state: { failures: 2, blockedUntilMs: 0, lastFailureMs: t0 + 1 },
      });
    });

    it('restarts a streak only when none runs', async () => {
      const store = storeOf();
      const k = key();
      await store.restartStreak(common(k));
      await expect(store.restartStreak(common(k, t0 + 1))).resolves.toEqual({
        applied: false,
        state: { failures: 1, blockedUntilMs: 0, lastFailureMs: t0 },
      });
    });

    it('counts a blocked attempt only at the expected count with no block standing, and sets the block', async () => {
      const store = storeOf();
      const k = key();
      await store.restartStreak(common(k));
      const blocked = { ...common(k, t0 + 10), expectedFailures: 1, blockedUntilMs: t0 + 1_000 };
      await expect(store.countBlockedAttempt({ ...blocked, expectedFailures: 2 })).resolves.toMatchObject({
        applied: false,
        state: { failures: 1 },
      });
      await expect(store.countBlockedAttempt(blocked)).resolves.toEqual({
        applied: true,
        state: { failures: 2, blockedUntilMs: t0 + 1_000, lastFailureMs: t0 + 10 },
      });
      // The block stands until t0 + 1000: another blocked attempt waits for it to lapse.
      const next = { ...common(k, t0 + 999), expectedFailures: 2, blockedUntilMs: t0 + 3_000 };
      await expect(store.countBlockedAttempt(next)).resolves.toMatchObject({ applied: false });
      await expect(store.countBlockedAttempt({ ...next, nowMs: t0 + 1_000 })).resolves.toMatchObject({
        applied: true,
        state: { failures: 3, blockedUntilMs: t0 + 3_000 },
      });
    });

    it('refunds an attempt: one less, and the block it set lifted only while it stands unchanged', async () => {
      const store = storeOf();
      const k = key();
      await store.restartStreak(common(k));
      await store.countBlockedAttempt({ ...common(k), expectedFailures: 1, blockedUntilMs: t0 + 1_000 });
      await store.refundAttempt({ key: k, blockedUntilMs: t0 + 999 });
      await expect(store.read(k)).resolves.toMatchObject({ failures: 1, blockedUntilMs: t0 + 1_000 });
      await store.restartStreak({ ...common(k, t0 + 700_000), streakStartMs: t0 + 1 });
      await store.countBlockedAttempt({
        ...common(k, t0 + 700_001),
        streakStartMs: t0 + 1,
        expectedFailures: 1,
        blockedUntilMs: t0 + 800_000,
      });
      await store.refundAttempt({ key: k, blockedUntilMs: t0 + 800_000 });
      await expect(store.read(k)).resolves.toEqual({
        failures: 1,
        blockedUntilMs: 0,
        lastFailureMs: t0 + 700_001,
      });
    });

    it('never refunds below zero or onto a key without a streak', async () => {
      const store = storeOf();
      const k = key();
      await store.refundAttempt({ key: k, blockedUntilMs: undefined });
      await expect(store.read(k)).resolves.toBeUndefined();
      await store.restartStreak(common(k));
      await store.refundAttempt({ key: k, blockedUntilMs: undefined });
      await store.refundAttempt({ key: k, blockedUntilMs: undefined });
      await expect(store.read(k)).resolves.toMatchObject({ failures: 0 });
    });

    it('gives the attempt slot to one owner until it lapses, and only its owner releases it', async () => {
      const store = storeOf();
      const k = key();
      const slot = { key: k, nowMs: t0, untilMs: t0 + 5_000, expiresAtSeconds };
      await expect(store.acquireAttempt({ ...slot, owner: 'a' })).resolves.toBe(true);
      await expect(store.acquireAttempt({ ...slot, owner: 'b' })).resolves.toBe(false);
      await store.releaseAttempt({ key: k, owner: 'b' });
      await expect(store.acquireAttempt({ ...slot, owner: 'b', nowMs: t0 + 4_999 })).resolves.toBe(false);
      await expect(
        store.acquireAttempt({ ...slot, owner: 'b', nowMs: t0 + 5_000, untilMs: t0 + 10_000 }),
      ).resolves.toBe(true);
      await store.releaseAttempt({ key: k, owner: 'a' });
      await expect(store.acquireAttempt({ ...slot, owner: 'c', nowMs: t0 + 5_001 })).resolves.toBe(false);
      await store.releaseAttempt({ key: k, owner: 'b' });
      await expect(store.acquireAttempt({ ...slot, owner: 'c', nowMs: t0 + 5_001 })).resolves.toBe(true);
    });

    it('keeps the failure count beside the attempt slot on one key', async () => {
      const store = storeOf();
      const k = key();
      await store.recordFailure(common(k));
      await store.acquireAttempt({ key: k, owner: 'a', nowMs: t0, untilMs: t0 + 5_000, expiresAtSeconds });
      await store.releaseAttempt({ key: k, owner: 'a' });
      await expect(store.read(k)).resolves.toEqual({ failures: 1, blockedUntilMs: 0, lastFailureMs: t0 });
    });
  });
};
