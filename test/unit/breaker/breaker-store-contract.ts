/**
 * What every breakers-table store must do (the in-memory one of the unit tests and the DynamoDB adapter
 * on DynamoDB Local): transitions are conditional, so of any number of racing instances exactly one
 * opens the circuit and exactly one wins the probe; a loser learns the state from its failed write.
 */
import { describe, expect, it } from 'vitest';
import type { BreakerStateStore, LastGoodCache } from '../../../shared/domain/breaker/breaker-state-store.js';

export const breakerStoreContract = (
  name: string,
  makeStore: () => Promise<{ readonly states: BreakerStateStore; readonly lastGood: LastGoodCache<unknown> }>,
): void => {
  let n = 0;
  const dependency = (): string => {
    n += 1;
    return `dep-${Date.now().toString(36)}-${n}`;
  };
  const t0 = 1_900_000_000_000;

  describe(`breaker store contract: ${name}`, () => {
    it('is closed for a dependency it never saw', async () => {
      const { states } = await makeStore();
      expect(await states.read(dependency())).toMatchObject({ state: 'closed', generation: 0, streak: 0 });
    });

    it('lets exactly one of many concurrent instances open the circuit; the others adopt its state', async () => {
      const { states } = await makeStore();
      const dep = dependency();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, index) => states.open(dep, t0 + index, 30_000)),
      );
      const winners = results.filter((result) => result.won);
      expect(winners).toHaveLength(1);
      const openUntilMs = winners[0]?.state.openUntilMs;
      for (const result of results) {
        expect(result.state).toMatchObject({ state: 'open', openUntilMs, generation: 1 });
      }
      expect(await states.read(dep)).toMatchObject({ state: 'open', openUntilMs });
    });

    it('refuses a probe before the cool-down ends, then gives it to exactly one of many instances', async () => {
      const { states } = await makeStore();
      const dep = dependency();
      await states.open(dep, t0, 30_000);
      expect((await states.claimProbe(dep, 'early', t0 + 29_999, 5_000)).won).toBe(false);
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          states.claimProbe(dep, `instance-${index}`, t0 + 30_000, 5_000),
        ),
      );
      const winners = claims.filter((claim) => claim.won);
      expect(winners).toHaveLength(1);
      const owner = winners[0]?.state.probeOwner;
      for (const claim of claims)
        expect(claim.state).toMatchObject({ probeOwner: owner, probeUntilMs: t0 + 35_000 });
      // While the probe runs nobody else probes; a probe that never reported can be taken over after it.
      expect((await states.claimProbe(dep, 'other', t0 + 34_000, 5_000)).won).toBe(false);
      expect((await states.claimProbe(dep, 'other', t0 + 35_001, 5_000)).won).toBe(true);
    });

    it('closes or reopens only for the instance that holds the probe', async () => {
      const { states } = await makeStore();
      const dep = dependency();
      await states.open(dep, t0, 30_000);
      await states.claimProbe(dep, 'prober', t0 + 30_000, 5_000);
      expect((await states.close(dep, 'intruder')).won).toBe(false);
      const reopened = await states.reopen(dep, 'prober', t0 + 90_000);
      expect(reopened).toMatchObject({
        won: true,
        state: { state: 'open', openUntilMs: t0 + 90_000, streak: 1 },
      });
      expect(reopened.state.probeOwner).toBeUndefined();
      await states.claimProbe(dep, 'second', t0 + 90_000, 5_000);
      const closed = await states.close(dep, 'second');
      expect(closed).toMatchObject({ won: true, state: { state: 'closed', streak: 0 } });
      expect(closed.state.probeOwner).toBeUndefined();
      // Closed again: the next failure opens it afresh.
      expect((await states.open(dep, t0 + 100_000, 30_000)).won).toBe(true);
    });

    it('keeps the newest last good answer per request shape, with the time it was stored', async () => {
      const { lastGood } = await makeStore();
      const dep = dependency();
      expect(await lastGood.get(dep, 'w60-l200')).toBeUndefined();
      await lastGood.put(dep, 'w60-l200', { summary: 'second' }, t0 + 2, t0 + 86_400_000);
      await lastGood.put(dep, 'w60-l200', { summary: 'first' }, t0 + 1, t0 + 86_400_000);
      await lastGood.put(dep, 'w15-l200', { summary: 'other shape' }, t0 + 3, t0 + 86_400_000);
      expect(await lastGood.get(dep, 'w60-l200')).toEqual({
        value: { summary: 'second' },
        storedAtMs: t0 + 2,
      });
      expect(await lastGood.get(dep, 'w15-l200')).toEqual({
        value: { summary: 'other shape' },
        storedAtMs: t0 + 3,
      });
    });
  });
};
