/** The cold-start bench starts its targets in a seeded order per run (bench/cold-start/measure-cold-starts.ts). */
import { describe, expect, it } from 'vitest';
import { orderOfRun } from '../../../bench/cold-start/measure-cold-starts.js';

const targets = Array.from({ length: 36 }, (_, index) => `target-${index}`);

describe('orderOfRun', () => {
  it('starts every target exactly once per run', () => {
    for (const index of [0, 1, 7, 20])
      expect([...orderOfRun(targets, index)].sort()).toEqual([...targets].sort());
  });

  it('gives a run the same order in every bench, and different runs different orders', () => {
    expect(orderOfRun(targets, 3)).toEqual(orderOfRun(targets, 3));
    const orders = new Set(Array.from({ length: 21 }, (_, index) => orderOfRun(targets, index).join(',')));
    expect(orders.size).toBe(21);
  });

  it('does not keep one target first: over 21 runs, more than ten different targets start a run', () => {
    const firsts = new Set(Array.from({ length: 21 }, (_, index) => orderOfRun(targets, index)[0]));
    expect(firsts.size).toBeGreaterThan(10);
  });

  it('leaves the caller’s list as it was', () => {
    const copy = [...targets];
    orderOfRun(targets, 5);
    expect(targets).toEqual(copy);
  });
});
