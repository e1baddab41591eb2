/**
 * What a health route reports about the circuits: each breaker's position from the shared state (closed,
 * open until a time, half-open once the cool-down ends), `unknown` when the breakers table cannot be read,
 * and nothing else (no configuration, no cached answer); every entry matches the schema a health route
 * declares its answer with.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { breakerStatusBody } from '../../../shared/domain/breaker/breaker-status-body.js';
import type { CircuitBreakerOptions } from '../../../shared/domain/breaker/circuit-breaker.js';
import { breakerFor, breakerStatuses } from '../../../shared/runtime/breakers-for.js';
import { inMemoryBreakerStore, inMemoryLastGoodCache } from '../../support/in-memory-breaker-store.js';
import { testRuntime } from '../../support/test-runtime.js';

const options: CircuitBreakerOptions = {
  dependency: 'partner-api',
  failureThreshold: 1,
  coolDownMs: 30_000,
  maxCoolDownMs: 60_000,
  callTimeoutMs: 1_000,
  sharedReadIntervalMs: 5_000,
};

const setUp = () => {
  const breakerStates = inMemoryBreakerStore();
  const runtime = testRuntime({}, { stores: { breakerStates, lastGood: inMemoryLastGoodCache() } });
  return { runtime, breakerStates };
};

const statuses = z.array(breakerStatusBody);

describe('breakerStatuses', () => {
  it('reports each circuit this process built: closed, open until its probe time, then half-open', async () => {
    const { runtime } = setUp();
    const breaker = breakerFor(runtime, options);
    expect(await breakerStatuses(runtime)).toEqual([
      { dependency: 'partner-api', state: 'closed', generation: 0 },
    ]);

    await expect(
      breaker.execute(async () => {
        throw new Error('partner down');
      }),
    ).rejects.toThrow('partner down');
    const opened = await breakerStatuses(runtime);
    expect(opened).toEqual([
      {
        dependency: 'partner-api',
        state: 'open',
        openUntil: new Date(runtime.clock.nowMs() + options.coolDownMs).toISOString(),
        generation: 1,
      },
    ]);
    expect(runtime.counted().filter((metric) => metric.name === 'breaker_opened')).toHaveLength(1);

    runtime.clock.advanceMs(options.coolDownMs);
    expect((await breakerStatuses(runtime))[0]?.state).toBe('half_open');
    expect(statuses.safeParse([...opened, ...(await breakerStatuses(runtime))]).success).toBe(true);
  });

  it('reads named circuits this process never built (a health function calls no dependency)', async () => {
    const { runtime } = setUp();
    const other = setUp();
    // Another instance, sharing the same table, opens the circuit.
    const shared = testRuntime(
      {},
      { stores: { breakerStates: other.breakerStates, lastGood: inMemoryLastGoodCache() } },
    );
    await expect(
      breakerFor(shared, options).execute(async () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');

    expect(await breakerStatuses(runtime)).toEqual([]);
    expect(await breakerStatuses(runtime, ['partner-api'])).toEqual([
      { dependency: 'partner-api', state: 'closed', generation: 0 },
    ]);
    const health = testRuntime(
      {},
      { stores: { breakerStates: other.breakerStates, lastGood: inMemoryLastGoodCache() } },
    );
    expect(await breakerStatuses(health, ['partner-api', 'triage-model'])).toMatchObject([
      { dependency: 'partner-api', state: 'open', generation: 1 },
      { dependency: 'triage-model', state: 'closed' },
    ]);
  });

  it('says unknown, never throws, when the breakers table cannot be read', async () => {
    const { runtime, breakerStates } = setUp();
    breakerFor(runtime, options);
    breakerStates.failing = true;
    const reported = await breakerStatuses(runtime);
    expect(reported).toEqual([{ dependency: 'partner-api', state: 'unknown' }]);
    expect(statuses.safeParse(reported).success).toBe(true);
  });

  it('answers the schema nothing beyond the position: no extra field passes it', () => {
    expect(
      breakerStatusBody.safeParse({ dependency: 'triage-model', state: 'closed', generation: 0 }).success,
    ).toBe(true);
    expect(
      breakerStatusBody.safeParse({ dependency: 'triage-model', state: 'closed', cached: 'x' }).success,
    ).toBe(false);
    expect(breakerStatusBody.safeParse({ dependency: 'triage-model', state: 'broken' }).success).toBe(false);
  });
});
