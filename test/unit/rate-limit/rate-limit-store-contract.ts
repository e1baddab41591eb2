import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
const expiresAtSeconds = Math.ceil(t0 / 1000) + 3600;

export interface RateLimitStoreUnderTest {
  readonly store: RateLimitStore;
  /** Writes a revocation marker where the store's guards look. */
  readonly revoke: (guardKey: string) => Promise<void>;
}

/**
 * What every RateLimitStore must do, run against the in-memory fake (unit) and the DynamoDB adapter
 * (integration), so the fake the limiter's unit tests rely on cannot drift from the real conditions.
 */
export const describeRateLimitStoreContract = (
  name: string,
  storeOf: () => RateLimitStoreUnderTest,
): void => {
  describe(`RateLimitStore contract: ${name}`, () => {
    const key = () => `contract-${randomUUID()}`;
    const bucket = { intervalMs: 1_000, toleranceMs: 2_000, expiresAtSeconds };

    it('admits an idle guess on a key with no item and stores now + interval', async () => {
      const { store } = storeOf();
      await expect(
        store.consumeTokenBucket({ key: key(), assume: 'idle', nowMs: t0, ...bucket }),
      ).resolves.toEqual({ admitted: true, value: t0 + 1_000, guardFailed: false });
    });

    it('admits an idle guess once the stored TAT is not after now, starting again from now', async () => {
      const { store } = storeOf();
      const k = key();
      await store.consumeTokenBucket({ key: k, assume: 'idle', nowMs: t0, ...bucket });
      await expect(
        store.consumeTokenBucket({ key: k, assume: 'idle', nowMs: t0 + 1_000, ...bucket }),
      ).resolves.toEqual({ admitted: true, value: t0 + 2_000, guardFailed: false });
    });

    it('refuses an idle guess while the TAT is in the future and returns the stored TAT', async () => {
      const { store } = storeOf();
      const k = key();
      await store.consumeTokenBucket({ key: k, assume: 'idle', nowMs: t0, ...bucket });
      await expect(
        store.consumeTokenBucket({ key: k, assume: 'idle', nowMs: t0 + 999, ...bucket }),
      ).resolves.toEqual({ admitted: false, value: t0 + 1_000, guardFailed: false });
    });

    it('admits a busy guess while the TAT is within the tolerance, adding one interval, then refuses with the TAT', async () => {
      const { store } = storeOf();
      const k = key();
      await store.consumeTokenBucket({ key: k, assume: 'idle', nowMs: t0, ...bucket });
      await expect(
        store.consumeTokenBucket({ key: k, assume: 'busy', nowMs: t0, ...bucket }),
      ).resolves.toEqual({ admitted: true, value: t0 + 2_000, guardFailed: false });
      await expect(
        store.consumeTokenBucket({ key: k, assume: 'busy', nowMs: t0, ...bucket }),
      ).resolves.toEqual({ admitted: true, value: t0 + 3_000, guardFailed: false });
      await expect(
        store.consumeTokenBucket({ key: k, assume: 'busy', nowMs: t0, ...bucket }),
      ).resolves.toEqual({ admitted: false, value: t0 + 3_000, guardFailed: false });
    });

    it('admits the busy guess on a key with no item at now + interval (no wrong cold guess)', async () => {
      const { store } = storeOf();
      await expect(
        store.consumeTokenBucket({ key: key(), assume: 'busy', nowMs: t0, ...bucket }),
      ).resolves.toEqual({ admitted: true, value: t0 + 1_000, guardFailed: false });
    });

    it('refuses the busy guess on an idle bucket (TAT already past), returning its TAT, and changes nothing', async () => {
      const { store } = storeOf();
      const k = key();
      await store.consumeTokenBucket({ key: k, assume: 'idle', nowMs: t0, ...bucket });
      await expect(
        store.consumeTokenBucket({ key: k, assume: 'busy', nowMs: t0 + 1_000, ...bucket }),
      ).resolves.toEqual({ admitted: false, value: t0 + 1_000, guardFailed: false });
      await expect(
        store.consumeTokenBucket({ key: k, assume: 'idle', nowMs: t0 + 5_000, ...bucket }),
      ).resolves.toEqual({ admitted: true, value: t0 + 6_000, guardFailed: false });
    });

    it('takes several requests from a window at once (a lease) while they fit, never past the limit', async () => {
      const { store } = storeOf();
      const window = { key: key(), limit: 10, expiresAtSeconds };
      await expect(store.consumeFixedWindow({ ...window, take: 4 })).resolves.toEqual({
        admitted: true,
        value: 4,
        guardFailed: false,
      });
      await expect(store.consumeFixedWindow({ ...window, take: 6 })).resolves.toMatchObject({
        admitted: true,
        value: 10,
      });
      await expect(store.consumeFixedWindow({ ...window, take: 1 })).resolves.toEqual({
        admitted: false,
        value: 10,
        guardFailed: false,
      });
    });

    it('refuses a lease larger than what is left, returning the count, and takes what is left after', async () => {
      const { store } = storeOf();
      const window = { key: key(), limit: 10, expiresAtSeconds };
      await store.consumeFixedWindow({ ...window, take: 7 });
      await expect(store.consumeFixedWindow({ ...window, take: 4 })).resolves.toEqual({
        admitted: false,
        value: 7,
        guardFailed: false,
      });
      await expect(store.consumeFixedWindow({ ...window, take: 3 })).resolves.toMatchObject({
        admitted: true,
        value: 10,
      });
    });

    it('rejects a take that is not a whole number from 1 to the limit as a caller mistake', async () => {
      const { store } = storeOf();
      for (const take of [0, -1, 1.5, 11])
        await expect(
          store.consumeFixedWindow({ key: key(), limit: 10, take, expiresAtSeconds }),
        ).rejects.toThrow(TypeError);
    });

    it('counts a fixed window up to its limit, then refuses with the stored count', async () => {
      const { store } = storeOf();
      const k = key();
      const request = { key: k, limit: 2, expiresAtSeconds };
      await expect(store.consumeFixedWindow(request)).resolves.toEqual({
        admitted: true,
        value: 1,
        guardFailed: false,
      });
      await expect(store.consumeFixedWindow(request)).resolves.toEqual({
        admitted: true,
        value: 2,
        guardFailed: false,
      });
      await expect(store.consumeFixedWindow(request)).resolves.toEqual({
        admitted: false,
        value: 2,
        guardFailed: false,
      });
    });

    it('admits a guarded write whose markers are absent, without a value', async () => {
      const { store } = storeOf();
      const mustNotExist = [`revoked#${randomUUID()}`];
      await expect(
        store.consumeTokenBucket({ key: key(), assume: 'idle', nowMs: t0, ...bucket, mustNotExist }),
      ).resolves.toEqual({ admitted: true, value: undefined, guardFailed: false });
      await expect(
        store.consumeFixedWindow({ key: key(), limit: 5, expiresAtSeconds, mustNotExist }),
      ).resolves.toEqual({ admitted: true, value: undefined, guardFailed: false });
    });

    it('refuses a guarded write when one marker exists and spends nothing', async () => {
      const { store, revoke } = storeOf();
      const dead = `revoked#${randomUUID()}`;
      await revoke(dead);
      const k = key();
      const mustNotExist = [`revoked#${randomUUID()}`, dead];
      await expect(
        store.consumeFixedWindow({ key: k, limit: 1, expiresAtSeconds, mustNotExist }),
      ).resolves.toMatchObject({ admitted: false, guardFailed: true });
      // The window was not spent: the single allowed request is still there.
      await expect(store.consumeFixedWindow({ key: k, limit: 1, expiresAtSeconds })).resolves.toMatchObject({
        admitted: true,
        value: 1,
      });
      await expect(
        store.consumeTokenBucket({ key: key(), assume: 'idle', nowMs: t0, ...bucket, mustNotExist }),
      ).resolves.toMatchObject({ admitted: false, guardFailed: true });
    });

    it('tells whether any of several markers exists', async () => {
      const { store, revoke } = storeOf();
      const dead = `revoked#${randomUUID()}`;
      await revoke(dead);
      await expect(store.anyGuardExists([`revoked#${randomUUID()}`])).resolves.toBe(false);
      await expect(store.anyGuardExists([`revoked#${randomUUID()}`, dead])).resolves.toBe(true);
      await expect(store.anyGuardExists([])).resolves.toBe(false);
    });
  });
};
