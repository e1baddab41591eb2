import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
const w0 = Math.floor(t0 / 60_000) * 60_000;
const expiresAtSeconds = Math.ceil(t0 / 1000) + 3600;

export interface StoredRecord {
  readonly version: number;
  readonly revoked: boolean;
  readonly expiresAtMs?: number;
}

export interface RecordStoreUnderTest {
  readonly store: RateLimitStore;
  /** Writes (or overwrites) the record `id` where the store's record proofs look. */
  readonly putRecord: (id: string, record: StoredRecord) => Promise<void>;
}

/**
 * What a store keeping limiter state on records must do (ADR 0005, API-key requests), run against the
 * in-memory fake (unit) and the DynamoDB adapter (integration): the slot's counting, its windows, and the
 * proof that fails on a changed, revoked, expired or missing record without writing anything.
 */
export const describeRecordStoreContract = (name: string, storeOf: () => RecordStoreUnderTest): void => {
  describe(`RateLimitStore on records: ${name}`, () => {
    const freshRecord = async (record: StoredRecord = { version: 1, revoked: false }) => {
      const under = storeOf();
      const id = `bwk_${randomUUID()}`;
      await under.putRecord(id, record);
      return { ...under, id };
    };
    const windowWrite = (id: string, version: number, extra: { take?: number; nowMs?: number } = {}) => {
      const nowMs = extra.nowMs ?? t0;
      return {
        key: 'rl#me#fw-3-per-60s',
        limit: 3,
        ...(extra.take === undefined ? {} : { take: extra.take }),
        expiresAtSeconds,
        record: { id, version, nowMs, windowStartMs: Math.floor(nowMs / 60_000) * 60_000 },
      };
    };

    it('counts a window in the slot, starting it on the first write, and refuses past the limit with the count', async () => {
      const { store, id } = await freshRecord();
      const results = [];
      for (let i = 0; i < 4; i += 1) results.push(await store.consumeFixedWindow(windowWrite(id, 1)));
      expect(results.map((result) => [result.admitted, result.value, result.recordChanged ?? false])).toEqual(
        [
          [true, 1, false],
          [true, 2, false],
          [true, 3, false],
          [false, 3, false],
        ],
      );
    });

    it('takes a lease only when it fits, refusing with the count so the remainder can be taken', async () => {
      const { store, id } = await freshRecord();
      await store.consumeFixedWindow(windowWrite(id, 1));
      expect(await store.consumeFixedWindow(windowWrite(id, 1, { take: 3 }))).toMatchObject({
        admitted: false,
        value: 1,
      });
      expect(await store.consumeFixedWindow(windowWrite(id, 1, { take: 2 }))).toMatchObject({
        admitted: true,
        value: 3,
      });
    });

    it('starts a later window afresh, and refuses a write for an earlier window than the slot holds', async () => {
      const { store, id } = await freshRecord();
      for (let i = 0; i < 3; i += 1) await store.consumeFixedWindow(windowWrite(id, 1));
      expect(await store.consumeFixedWindow(windowWrite(id, 1, { nowMs: w0 + 60_000 }))).toMatchObject({
        admitted: true,
        value: 1,
      });
      // An instance whose clock is behind: stricter, never more.
      expect(await store.consumeFixedWindow(windowWrite(id, 1))).toMatchObject({ admitted: false, value: 3 });
    });

    it.each([
      ['a moved version', { version: 2, revoked: false }],
      ['a revoked record', { version: 1, revoked: true }],
      ['an expired record', { version: 1, revoked: false, expiresAtMs: t0 }],
    ])('fails the proof on %s, writing nothing', async (_, changed) => {
      const { store, id, putRecord } = await freshRecord();
      await store.consumeFixedWindow(windowWrite(id, 1));
      await putRecord(id, changed);
      expect(await store.consumeFixedWindow(windowWrite(id, 1))).toMatchObject({
        admitted: false,
        recordChanged: true,
      });
      expect(await store.recordIsCurrent?.({ id, version: 1, nowMs: t0 })).toBe(false);
    });

    it('fails the proof on a record that does not exist, and creates nothing', async () => {
      const { store } = storeOf();
      const id = `bwk_${randomUUID()}`;
      expect(await store.consumeFixedWindow(windowWrite(id, 1))).toMatchObject({ recordChanged: true });
      expect(await store.recordIsCurrent?.({ id, version: 1, nowMs: t0 })).toBe(false);
    });

    it('proves a current record by a read: the version, not revoked, not yet expired', async () => {
      const { store, id } = await freshRecord({ version: 5, revoked: false, expiresAtMs: t0 + 1 });
      expect(await store.recordIsCurrent?.({ id, version: 5, nowMs: t0 })).toBe(true);
      expect(await store.recordIsCurrent?.({ id, version: 4, nowMs: t0 })).toBe(false);
      expect(await store.recordIsCurrent?.({ id, version: 5, nowMs: t0 + 1 })).toBe(false);
    });

    it('keeps a token bucket in the slot: idle and busy writes, a refusal with the TAT, the proof', async () => {
      const { store, id, putRecord } = await freshRecord();
      const bucket = (assume: 'idle' | 'busy', version = 1) => ({
        key: 'rl#me#tb-3-per-3s',
        assume,
        nowMs: t0,
        intervalMs: 1_000,
        toleranceMs: 2_000,
        expiresAtSeconds,
        record: { id, version, nowMs: t0 },
      });
      expect(await store.consumeTokenBucket(bucket('busy'))).toMatchObject({
        admitted: true,
        value: t0 + 1_000,
      });
      expect(await store.consumeTokenBucket(bucket('idle'))).toMatchObject({
        admitted: false,
        value: t0 + 1_000,
      });
      expect(await store.consumeTokenBucket(bucket('busy'))).toMatchObject({
        admitted: true,
        value: t0 + 2_000,
      });
      expect(await store.consumeTokenBucket(bucket('busy'))).toMatchObject({
        admitted: true,
        value: t0 + 3_000,
      });
      expect(await store.consumeTokenBucket(bucket('busy'))).toMatchObject({
        admitted: false,
        value: t0 + 3_000,
      });
      await putRecord(id, { version: 2, revoked: false });
      expect(await store.consumeTokenBucket(bucket('busy'))).toMatchObject({
        admitted: false,
        recordChanged: true,
      });
    });
  });
};
