import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
const expiresAtSeconds = Math.ceil(t0 / 1000) + 3_600;

export interface RateLimitStoreUnderTest {
  readonly store: RateLimitStore;
  /** Makes `key` exist where guards are looked up (a revocation marker). */
  readonly revoke: (key: string) => Promise<void>;
}

/**
 * What every RateLimitStore must do, run against the in-memory fake (unit) and the DynamoDB adapter
 * (integration), so route and chain tests on the fake see DynamoDB's semantics.
 */
export const describeRateLimitStoreContract = (
  name: string,
  subjectOf: () => RateLimitStoreUnderTest,
): void => {
  const key = (): string => `rl#contract#${randomBytes(8).toString('hex')}`;

  describe(`RateLimitStore contract: ${name}`, () => {
    it('admits a fixed window up to its limit, returning the count, then refuses with the count', async () => {
      const { store } = subjectOf();
      const k = key();
      const results = [];
      for (let i = 0; i < 3; i += 1)
        results.push(await store.consumeFixedWindow({ key: k, limit: 2, expiresAtSeconds }));
      expect(results).toEqual([
        { admitted: true, value: 1, guardFailed: false },
        { admitted: true, value: 2, guardFailed: false },
        { admitted: false, value: 2, guardFailed: false },
      ]);
    });

    it('admits an idle token bucket at now + interval, and refuses the idle guess once it is busy', async () => {
      const { store } = subjectOf();
      const k = key();
      const bucket = { key: k, nowMs: t0, intervalMs: 1_000, toleranceMs: 2_000, expiresAtSeconds };
      expect(await store.consumeTokenBucket({ ...bucket, assume: 'idle' })).toEqual({
        admitted: true,
        value: t0 + 1_000,
        guardFailed: false,
      });
      expect(await store.consumeTokenBucket({ ...bucket, assume: 'idle' })).toEqual({
        admitted: false,
        value: t0 + 1_000,
        guardFailed: false,
      });
    });

    it('admits a busy bucket within the tolerance, adding one interval, and refuses past it', async () => {
      const { store } = subjectOf();
      const k = key();
      const bucket = { key: k, nowMs: t0, intervalMs: 1_000, toleranceMs: 2_000, expiresAtSeconds };
      await store.consumeTokenBucket({ ...bucket, assume: 'idle' });
      expect(await store.consumeTokenBucket({ ...bucket, assume: 'busy' })).toMatchObject({
        admitted: true,
        value: t0 + 2_000,
      });
      expect(await store.consumeTokenBucket({ ...bucket, assume: 'busy' })).toMatchObject({
        admitted: true,
        value: t0 + 3_000,
      });
      expect(await store.consumeTokenBucket({ ...bucket, assume: 'busy' })).toEqual({
        admitted: false,
        value: t0 + 3_000,
        guardFailed: false,
      });
    });

    it('admits the busy guess on a bucket that has no state at now + interval (no wrong cold guess)', async () => {
      const { store } = subjectOf();
      expect(
        await store.consumeTokenBucket({
          key: key(),
          assume: 'busy',
          nowMs: t0,
          intervalMs: 1_000,
          toleranceMs: 2_000,
          expiresAtSeconds,
        }),
      ).toEqual({ admitted: true, value: t0 + 1_000, guardFailed: false });
    });

    it('refuses the busy guess on an idle bucket, returning its TAT, and changes nothing', async () => {
      const { store } = subjectOf();
      const k = key();
      const bucket = { key: k, intervalMs: 1_000, toleranceMs: 2_000, expiresAtSeconds };
      await store.consumeTokenBucket({ ...bucket, nowMs: t0, assume: 'idle' });
      expect(await store.consumeTokenBucket({ ...bucket, nowMs: t0 + 1_000, assume: 'busy' })).toEqual({
        admitted: false,
        value: t0 + 1_000,
        guardFailed: false,
      });
      expect(await store.consumeTokenBucket({ ...bucket, nowMs: t0 + 5_000, assume: 'idle' })).toEqual({
        admitted: true,
        value: t0 + 6_000,
        guardFailed: false,
      });
    });

    it('takes several requests from a window at once (a lease) while they fit, never past the limit', async () => {
      const { store } = subjectOf();
      const k = key();
      const window = { key: k, limit: 10, expiresAtSeconds };
      expect(await store.consumeFixedWindow({ ...window, take: 4 })).toEqual({
        admitted: true,
        value: 4,
        guardFailed: false,
      });
      expect(await store.consumeFixedWindow({ ...window, take: 6 })).toMatchObject({
        admitted: true,
        value: 10,
      });
      expect(await store.consumeFixedWindow({ ...window, take: 1 })).toEqual({
        admitted: false,
        value: 10,
        guardFailed: false,
      });
    });

    it('refuses a lease larger than what is left, returning the count, and takes what is left after', async () => {
      const { store } = subjectOf();
      const k = key();
      const window = { key: k, limit: 10, expiresAtSeconds };
      await store.consumeFixedWindow({ ...window, take: 7 });
      expect(await store.consumeFixedWindow({ ...window, take: 4 })).toEqual({
        admitted: false,
        value: 7,
        guardFailed: false,
      });
      expect(await store.consumeFixedWindow({ ...window, take: 3 })).toMatchObject({
        admitted: true,
        value: 10,
      });
    });

    it('rejects a take that is not a whole number from 1 to the limit as a caller mistake', async () => {
      const { store } = subjectOf();
      for (const take of [0, -1, 1.5, 11])
        await expect(
          store.consumeFixedWindow({ key: key(), limit: 10, take, expiresAtSeconds }),
        ).rejects.toThrow(TypeError);
    });

    it('admits a guarded write with no value returned (a transaction returns none)', async () => {
      const { store } = subjectOf();
      expect(
        await store.consumeFixedWindow({
          key: key(),
          limit: 5,
          expiresAtSeconds,
          mustNotExist: [`revoked#${randomBytes(8).toString('hex')}`],
        }),
      ).toEqual({ admitted: true, value: undefined, guardFailed: false });
    });

    it('refuses a write whose guard exists, spending nothing', async () => {
      const { store, revoke } = subjectOf();
      const guard = `revoked#${randomBytes(8).toString('hex')}`;
      await revoke(guard);
      const k = key();
      expect(
        await store.consumeFixedWindow({ key: k, limit: 1, expiresAtSeconds, mustNotExist: [guard] }),
      ).toEqual({ admitted: false, value: undefined, guardFailed: true });
      expect(await store.consumeFixedWindow({ key: k, limit: 1, expiresAtSeconds })).toMatchObject({
        admitted: true,
        value: 1,
      });
    });

    it('says whether any guard exists', async () => {
      const { store, revoke } = subjectOf();
      const present = `revoked#${randomBytes(8).toString('hex')}`;
      const absent = `revoked#${randomBytes(8).toString('hex')}`;
      await revoke(present);
      expect(await store.anyGuardExists([absent])).toBe(false);
      expect(await store.anyGuardExists([absent, present])).toBe(true);
      expect(await store.anyGuardExists([])).toBe(false);
    });
  });
};
