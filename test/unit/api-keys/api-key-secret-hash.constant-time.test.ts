/**
 * Comparing digests costs the same whether the stored digest is damaged (another length) or not: one
 * constant-time comparison either way. Counted through node:crypto's timingSafeEqual, which this file
 * wraps (vi.mock is per file).
 */
import { timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { hashApiKeySecret, secretHashMatches } from '../../../shared/domain/api-keys/api-key-secret-hash.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const hash = hashApiKeySecret('unit-pepper-0123456789-abcdefghijklmnop', 'secret');

beforeEach(() => {
  vi.mocked(timingSafeEqual).mockClear();
});

describe('secretHashMatches', () => {
  it('makes one constant-time comparison for digests of equal length', () => {
    expect(secretHashMatches(hash, hash)).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('still makes one constant-time comparison, of the presented digest with itself, for a stored digest of another length', () => {
    expect(secretHashMatches(hash, hash.slice(1))).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [left, right] = vi.mocked(timingSafeEqual).mock.calls[0] ?? [];
    expect(Buffer.from(left as Uint8Array).toString()).toBe(hash);
    expect(Buffer.from(right as Uint8Array).toString()).toBe(hash);
  });
});
