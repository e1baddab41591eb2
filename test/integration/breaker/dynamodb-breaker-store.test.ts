/**
 * The breakers table on DynamoDB Local: the store contract (one opener, one prober of many concurrent
 * instances), and whole breakers, one per simulated Lambda instance, sharing it: they agree the
 * dependency is down after one instance's failures, write only on transitions, and let one probe through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dynamoDbBreakerStateStore,
  dynamoDbLastGoodCache,
} from '../../../shared/adapters/dynamodb/dynamodb-breaker-store.js';
import {
  type BreakerEvent,
  CircuitOpenError,
  createCircuitBreaker,
} from '../../../shared/domain/breaker/circuit-breaker.js';
import { countCommands, createTestTables, mutableClock } from '../../support/dynamodb-test-tables.js';
import { breakerStoreContract } from '../../unit/breaker/breaker-store-contract.js';

let tables: Awaited<ReturnType<typeof createTestTables>>;

beforeAll(async () => {
  tables = await createTestTables();
});

afterAll(() => {
  tables.client.destroy();
});

breakerStoreContract('DynamoDB Local', async () => ({
  states: dynamoDbBreakerStateStore(tables.client, tables.tables.breakers),
  lastGood: dynamoDbLastGoodCache(tables.client, tables.tables.breakers),
}));

describe('breakers of concurrent instances on one shared state', () => {
  it('open together after one instance fails, call nothing while open, and let exactly one probe through', async () => {
    const counter = countCommands(tables.client);
    const store = dynamoDbBreakerStateStore(tables.client, tables.tables.breakers);
    const clock = mutableClock(2_000_000_000_000);
    const events: { readonly instance: number; readonly event: BreakerEvent }[] = [];
    const dependency = `model-${Date.now().toString(36)}`;
    const instances = Array.from({ length: 6 }, (_, instance) =>
      createCircuitBreaker(
        {
          dependency,
          failureThreshold: 3,
          coolDownMs: 30_000,
          maxCoolDownMs: 300_000,
          callTimeoutMs: 1_000,
          sharedReadIntervalMs: 5_000,
        },
        {
          store,
          clock,
          instanceId: `instance-${instance}`,
          onEvent: (event) => events.push({ instance, event }),
          onStoreError: (operation, error) => {
            throw new Error(`store ${operation} failed: ${String(error)}`);
          },
        },
      ),
    );
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new Error('model down');
    };
    const answering = async () => {
      calls += 1;
      return 'answer';
    };

    // Every instance reads the shared state once (closed), then instance 0 fails three times and opens it.
    await Promise.all(instances.map((breaker) => breaker.execute(answering)));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(instances[0]?.execute(failing)).rejects.toThrow('model down');
    }
    expect(events.filter((entry) => entry.event === 'opened')).toEqual([{ instance: 0, event: 'opened' }]);

    // The others learn it at their next read (at most sharedReadIntervalMs later) and then call nothing.
    clock.advance(5_000);
    calls = 0;
    counter.reset();
    const refused = await Promise.allSettled(instances.map((breaker) => breaker.execute(answering)));
    expect(
      refused.every((result) => result.status === 'rejected' && result.reason instanceof CircuitOpenError),
    ).toBe(true);
    expect(calls).toBe(0);
    expect(counter.count()).toBe(6); // one read each (the read interval passed), no write
    counter.reset();
    await Promise.allSettled(instances.map((breaker) => breaker.execute(answering)));
    expect(counter.count()).toBe(0); // open: no DynamoDB request at all

    // The cool-down ends: all six race for the probe; exactly one wins it, calls the model and closes the
    // circuit. The others are refused while the probe runs; one whose claim lands after the close sees the
    // circuit closed and calls as usual (how many do depends on timing, never more than one probe).
    clock.advance(25_000);
    calls = 0;
    const raced = await Promise.allSettled(instances.map((breaker) => breaker.execute(answering)));
    expect(events.filter((entry) => entry.event === 'half_open')).toHaveLength(1);
    expect(events.filter((entry) => entry.event === 'closed')).toHaveLength(1);
    const fulfilled = raced.filter((result) => result.status === 'fulfilled').length;
    expect(fulfilled).toBeGreaterThanOrEqual(1);
    expect(calls).toBe(fulfilled);
    for (const result of raced) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(CircuitOpenError);
    }

    // Closed for everyone at their next read.
    clock.advance(5_000);
    calls = 0;
    const after = await Promise.allSettled(instances.map((breaker) => breaker.execute(answering)));
    expect(after.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(calls).toBe(6);
  });
});
