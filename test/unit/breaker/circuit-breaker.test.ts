/**
 * One instance's breaker on the in-memory breakers table (kept honest by the store contract): timeouts
 * count as failures, the cool-down grows per failed probe, an unreachable table leaves the decision to the
 * instance, and the last good answer is served with its age while the dependency is down.
 */
import { describe, expect, it } from 'vitest';
import { callWithLastGood, NoAnswerError } from '../../../shared/domain/breaker/call-with-last-good.js';
import {
  type BreakerEvent,
  CallTimedOutError,
  type CircuitBreakerOptions,
  CircuitOpenError,
  createCircuitBreaker,
} from '../../../shared/domain/breaker/circuit-breaker.js';
import { inMemoryBreakerStore, inMemoryLastGoodCache } from '../../support/in-memory-breaker-store.js';
import { manualClock } from '../../support/test-runtime.js';

const options: CircuitBreakerOptions = {
  dependency: 'test-dependency',
  failureThreshold: 2,
  coolDownMs: 10_000,
  maxCoolDownMs: 25_000,
  callTimeoutMs: 50,
  sharedReadIntervalMs: 1_000,
};

const setUp = () => {
  const store = inMemoryBreakerStore();
  const clock = manualClock();
  const events: BreakerEvent[] = [];
  const storeErrors: string[] = [];
  const breaker = createCircuitBreaker(options, {
    store,
    clock,
    instanceId: 'me',
    onEvent: (event) => events.push(event),
    onStoreError: (operation) => storeErrors.push(operation),
  });
  return { store, clock, events, storeErrors, breaker };
};

const fail = async (): Promise<string> => {
  throw new Error('down');
};
const answer = async (): Promise<string> => 'fresh';
const hang = (signal: AbortSignal): Promise<string> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

describe('createCircuitBreaker', () => {
  it('cuts a hanging call off at callTimeoutMs, aborts its signal, and counts it as a failure', async () => {
    const { breaker, events, store } = setUp();
    let aborted = false;
    await expect(
      breaker.execute((signal) => {
        signal.addEventListener('abort', () => {
          aborted = true;
        });
        return new Promise<string>(() => {});
      }),
    ).rejects.toBeInstanceOf(CallTimedOutError);
    expect(aborted).toBe(true);
    await expect(breaker.execute(hang)).rejects.toBeInstanceOf(CallTimedOutError);
    expect(events).toEqual(['opened']);
    expect((await store.read('test-dependency')).state).toBe('open');
  });

  it('rejects without calling while open, and doubles the cool-down after each failed probe up to the cap', async () => {
    const { breaker, clock, events, store } = setUp();
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    let calls = 0;
    const counted = async () => {
      calls += 1;
      return 'x';
    };
    const refusal = await breaker.execute(counted).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CircuitOpenError);
    expect((refusal as CircuitOpenError).retryAtMs).toBe(clock.nowMs() + 10_000);
    expect(calls).toBe(0);

    const openFor: number[] = [];
    for (let probe = 0; probe < 3; probe += 1) {
      const { openUntilMs } = await store.read('test-dependency');
      clock.setMs(openUntilMs);
      await expect(breaker.execute(fail)).rejects.toThrow('down');
      openFor.push((await store.read('test-dependency')).openUntilMs - clock.nowMs());
    }
    expect(openFor).toEqual([20_000, 25_000, 25_000]);
    clock.setMs((await store.read('test-dependency')).openUntilMs);
    await expect(breaker.execute(answer)).resolves.toBe('fresh');
    expect(await store.read('test-dependency')).toMatchObject({ state: 'closed', streak: 0 });
    expect(events).toEqual([
      'opened',
      'rejected',
      'half_open',
      'half_open',
      'half_open',
      'half_open',
      'closed',
    ]);
  });

  it('writes on transitions only: a thousand good calls cost no write and one read per interval', async () => {
    const { breaker, clock, store } = setUp();
    for (let call = 0; call < 1_000; call += 1) {
      await breaker.execute(answer);
      clock.advanceMs(1);
    }
    expect(store.writes()).toBe(0);
    expect(store.reads()).toBe(1);
  });

  it('decides on its own when the breakers table is unreachable, and says so', async () => {
    const { breaker, store, storeErrors, events } = setUp();
    store.failing = true;
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    await expect(breaker.execute(answer)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(storeErrors).toEqual(['read', 'open']);
    expect(events).toEqual(['rejected']);
  });

  it('refuses options it cannot work with', () => {
    const dependencies = {
      store: inMemoryBreakerStore(),
      clock: manualClock(),
      instanceId: 'x',
      onEvent: () => {},
      onStoreError: () => {},
    };
    expect(() => createCircuitBreaker({ ...options, coolDownMs: 0 }, dependencies)).toThrow(TypeError);
    expect(() => createCircuitBreaker({ ...options, dependency: 'Bad Name' }, dependencies)).toThrow(
      TypeError,
    );
  });
});

describe('callWithLastGood', () => {
  const withCache = () => {
    const setup = setUp();
    const cache = inMemoryLastGoodCache<string>();
    const served: string[] = [];
    const dependencies = {
      breaker: setup.breaker,
      cache,
      clock: setup.clock,
      onFallbackServed: (reason: string) => served.push(reason),
      onCacheError: () => {},
    };
    const request = (call: (signal: AbortSignal) => Promise<string>, maxAgeMs = 60_000) =>
      callWithLastGood(dependencies, { key: 'shape', maxAgeMs, retentionMs: 86_400_000, call });
    return { ...setup, cache, served, request };
  };

  it('serves the last good answer with its age when the call fails, then while the circuit is open', async () => {
    const { request, clock, served } = withCache();
    expect(await request(answer)).toEqual({ value: 'fresh', degraded: false });
    clock.advanceMs(7_500);
    expect(await request(fail)).toEqual({
      value: 'fresh',
      degraded: true,
      ageSeconds: 7,
      reason: 'call_failed',
    });
    expect(await request(hang)).toMatchObject({ degraded: true, reason: 'call_failed' });
    expect(await request(answer)).toMatchObject({ degraded: true, reason: 'circuit_open' });
    expect(served).toEqual(['call_failed', 'call_failed', 'circuit_open']);
  });

  it('answers NoAnswerError with a Retry-After when nothing is cached or the cached answer is too old', async () => {
    const { request, clock } = withCache();
    const none = await request(fail).catch((error: unknown) => error);
    expect(none).toBeInstanceOf(NoAnswerError);
    expect((none as NoAnswerError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await request(fail).catch(() => undefined); // opens the circuit
    const open = (await request(answer).catch((error: unknown) => error)) as NoAnswerError;
    expect(open.retryAfterSeconds).toBe(10);
    clock.advanceMs(10_000);
    await request(answer); // the probe closes it and stores an answer
    clock.advanceMs(61_000);
    await expect(request(fail, 60_000)).rejects.toBeInstanceOf(NoAnswerError);
  });
});
