import { describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { createRateLimiter } from '../../../shared/domain/rate-limit/rate-limiter.js';
import { countingStore, manualClock } from './counting-store.js';

const t0 = Date.UTC(2030, 0, 7, 12, 0, 0);
// One request every 1 000 ms, 3 at once.
const policy = { kind: 'token_bucket', burst: 3, perSeconds: 3 } as const;

describe('token bucket decisions: one write per decision on instances that have not seen the key', () => {
  it('admits a new key on a cold instance with one busy write (right for a missing item)', async () => {
    const { store, writes } = countingStore();
    const decision = await createRateLimiter({ store, clock: manualClock(t0) }).decide('k', policy);
    expect(decision).toMatchObject({ allowed: true, backendCalls: 1, remaining: 2, source: 'backend' });
    expect(writes).toEqual([{ kind: 'token_bucket', assume: 'busy' }]);
  });

  it('admits a busy key seen first by twenty other instances with one write each', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const admitted = [];
    for (let instance = 0; instance < 3; instance += 1) {
      const decision = await createRateLimiter({ store, clock }).decide('k', policy);
      admitted.push(decision.allowed);
      expect(decision.backendCalls).toBe(1);
    }
    const refused = await createRateLimiter({ store, clock }).decide('k', policy);
    expect(admitted).toEqual([true, true, true]);
    expect(refused).toMatchObject({ allowed: false, backendCalls: 1, retryAfterSeconds: 1 });
    expect(writes.map((write) => write.assume)).toEqual(['busy', 'busy', 'busy', 'busy']);
  });

  it('pays a second write only for an existing idle bucket on a cold instance, then admits', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    await createRateLimiter({ store, clock }).decide('k', policy);
    clock.advance(5_000);
    const decision = await createRateLimiter({ store, clock }).decide('k', policy);
    expect(decision).toMatchObject({ allowed: true, backendCalls: 2, remaining: 2 });
    expect(writes.map((write) => write.assume)).toEqual(['busy', 'busy', 'idle']);
  });

  it('guesses idle on a warm instance whose cached TAT has passed, and busy while it is ahead', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock });
    await limiter.decide('k', policy);
    await limiter.decide('k', policy);
    clock.advance(3_000);
    expect(await limiter.decide('k', policy)).toMatchObject({ allowed: true, backendCalls: 1 });
    expect(writes.map((write) => write.assume)).toEqual(['busy', 'busy', 'idle']);
  });

  it('guesses busy while a decision of its own on the key is in flight, even from a passed TAT', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock });
    await limiter.decide('k', policy);
    clock.advance(5_000);
    const decisions = await Promise.all([limiter.decide('k', policy), limiter.decide('k', policy)]);
    expect(decisions.map((decision) => [decision.allowed, decision.backendCalls])).toEqual([
      [true, 1],
      [true, 1],
    ]);
    expect(writes.map((write) => write.assume)).toEqual(['busy', 'idle', 'busy']);
    // Once both have answered, a passed TAT is guessed idle again.
    clock.advance(5_000);
    expect(await limiter.decide('k', policy)).toMatchObject({ allowed: true, backendCalls: 1 });
    expect(writes.at(-1)?.assume).toBe('idle');
  });

  it('corrects a wrong idle guess with a busy write when another instance made the bucket busy', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    const limiter = createRateLimiter({ store, clock });
    await limiter.decide('k', policy);
    clock.advance(5_000);
    // Its cached TAT has passed, but another instance has just spent a token.
    await createRateLimiter({ store, clock }).decide('k', policy);
    expect(await limiter.decide('k', policy)).toMatchObject({ allowed: true, backendCalls: 2, remaining: 1 });
    // Ours, the other instance's (a wrong cold guess, then idle), then ours: idle refused, busy admitted.
    expect(writes.map((write) => write.assume)).toEqual(['busy', 'busy', 'idle', 'idle', 'busy']);
  });

  it('counts its decisions in flight on a key: one answering leaves the others still busy', async () => {
    const { store, writes } = countingStore();
    const clock = manualClock(t0);
    let release: () => void = () => undefined;
    let holdBusy = false;
    const holding: RateLimitStore = {
      ...store,
      consumeTokenBucket: async (request) => {
        if (request.assume === 'busy' && holdBusy) {
          holdBusy = false;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
        return store.consumeTokenBucket(request);
      },
    };
    const limiter = createRateLimiter({ store: holding, clock });
    await limiter.decide('k', policy);
    clock.advance(5_000);
    holdBusy = true;
    const first = limiter.decide('k', policy);
    const held = limiter.decide('k', policy);
    await first;
    // The first one's TAT has passed too, but the held decision may still make the bucket busy.
    clock.advance(5_000);
    const third = limiter.decide('k', policy);
    release();
    await Promise.all([held, third]);
    // The third one's guess is the third write (the held one writes after it): busy, not idle.
    expect(writes.slice(0, 3).map((write) => write.assume)).toEqual(['busy', 'idle', 'busy']);
  });

  it('admits exactly the burst to a cold burst on one instance, one write per decision', async () => {
    const { store, writes } = countingStore();
    const limiter = createRateLimiter({ store, clock: manualClock(t0) });
    const decisions = await Promise.all(Array.from({ length: 6 }, () => limiter.decide('k', policy)));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(3);
    expect(decisions.reduce((total, decision) => total + decision.backendCalls, 0)).toBeLessThanOrEqual(6);
    expect(writes.length).toBe(decisions.reduce((total, decision) => total + decision.backendCalls, 0));
  });
});
