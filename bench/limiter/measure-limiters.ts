import { randomUUID } from 'node:crypto';
import { DynamoDB, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { createTables } from '../../shared/local/create-tables.js';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { type BulwarkContender, bulwarkContender } from './bulwark-contender.js';
import { burstWorkload } from './burst-workload.js';
import type { WorkloadRun } from './decision-log.js';
import { createFlexibleTable, flexibleContender } from './flexible-contender.js';
import type { LimiterContender } from './limiter-contender.js';
import { steadyWorkload } from './steady-workload.js';
import { underLimitWorkload } from './under-limit-workload.js';

export type LimiterWorkloadId = 'burst-1' | 'burst-20' | 'steady' | 'under-1' | 'under-20';

export const limiterWorkloadLabels: Readonly<Record<LimiterWorkloadId, string>> = {
  'burst-1': 'burst, 1 instance',
  'burst-20': 'burst, 20 instances',
  steady: 'steady 4x over',
  'under-1': 'under limit, 1 instance',
  'under-20': 'under limit, 20 instances',
};

export const overloadWorkloads: readonly LimiterWorkloadId[] = ['burst-1', 'burst-20', 'steady'];

/** The bench's settings, also quoted in the docs section. */
export const limiterSettings = {
  burst: { decisions: 200, runs: 5, instances: 20, limit: { quota: 50, periodSeconds: 3600 } },
  // 20 decisions every 500 ms = 40/s: 4x the ~100 a 50-per-10-s limit admits in 10 s. Ticks run to
  // 10.5 s so a window that opened at the first request (rate-limiter-flexible) rolls over once.
  steady: { batch: 20, everyMs: 500, durationMs: 11_000, limit: { quota: 50, periodSeconds: 10 } },
  underLimit: {
    keys: 500,
    decisions: 2_000,
    concurrency: 20,
    limit: { quota: 50, periodSeconds: 3600 },
  },
  warmup: { keys: 50, decisions: 100, concurrency: 10 },
} as const;

/**
 * Under the limit rate-limiter-flexible keeps no state in process (its in-memory block only follows a
 * reject), so one instance or twenty make the same calls; only Bulwark's cache makes the split matter.
 * Skipping the repeats keeps the limiter bench near a minute.
 */
const underLimitRuns = (contender: LimiterContender, instances: number): boolean =>
  contender.bulwark || (contender.id === 'flexible' && instances === 1);

export interface LimiterRow {
  readonly contender: Pick<LimiterContender, 'id' | 'label' | 'bulwark'>;
  readonly workload: LimiterWorkloadId;
  readonly runs: readonly WorkloadRun[];
}

export interface LimiterBenchResult {
  readonly rows: readonly LimiterRow[];
  /** Bulwark rejects decided in process, per contender id, over the whole bench (warm-up included). */
  readonly cacheRejects: Readonly<Record<string, number>>;
  /** Consistency warnings (never thresholds on noisy figures). */
  readonly warnings: readonly string[];
  readonly elapsedS: number;
}

/**
 * One attempt per command, so the counting middleware sees every HTTP request (a retry would hide
 * behind one count), and a timeout far above DynamoDB Local's queueing under a 200-request burst.
 */
const clientOptions = (endpoint: string) =>
  ({
    region: 'local',
    endpoint,
    maxAttempts: 1,
    requestTimeoutMs: 15_000,
    // A 2-core machine shared with other work can take seconds to accept a connection in a burst.
    connectionTimeoutMs: 10_000,
  }) as const;

/**
 * Bulwark's limiter (token bucket and fixed window) against rate-limiter-flexible's RateLimiterDynamo
 * (plain and with its in-memory block) on one DynamoDB Local, each on a dedicated counted client.
 */
export const measureLimiters = async (progress: (line: string) => void): Promise<LimiterBenchResult> => {
  const started = performance.now();
  const local = await startDynamoDbLocal();
  const clients: DynamoDBClient[] = [];
  try {
    const setup = createDynamoDbClient(clientOptions(local.endpoint));
    clients.push(setup);
    const tables = await createTables(setup, 'bench-');
    const flexibleTable = 'bench-rate-limiter-flexible';
    const newFlexibleClient = () => {
      // createDynamoDbClient's settings, as the aggregated class RateLimiterDynamo requires.
      const client = new DynamoDB({
        region: 'local',
        endpoint: local.endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
        requestHandler: { requestTimeout: 15_000, connectionTimeout: 10_000 },
      });
      clients.push(client);
      return client;
    };
    await createFlexibleTable(newFlexibleClient(), flexibleTable);
    const newBulwarkClient = () => {
      const client = createDynamoDbClient(clientOptions(local.endpoint));
      clients.push(client);
      return client;
    };
    const bulwark: BulwarkContender[] = [
      bulwarkContender('token_bucket', newBulwarkClient(), tables.rateLimits),
      bulwarkContender('fixed_window', newBulwarkClient(), tables.rateLimits),
    ];
    const contenders: LimiterContender[] = [
      ...bulwark,
      flexibleContender(newFlexibleClient(), flexibleTable, false),
      flexibleContender(newFlexibleClient(), flexibleTable, true),
    ];
    const nonce = randomUUID().slice(0, 8);
    const runs = new Map<string, WorkloadRun[]>();
    const add = (contender: LimiterContender, workload: LimiterWorkloadId, run: WorkloadRun) => {
      const id = `${contender.id}|${workload}`;
      runs.set(id, [...(runs.get(id) ?? []), run]);
    };

    const { burst, steady, underLimit, warmup } = limiterSettings;
    const at = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    progress(`   DynamoDB Local up and tables created at ${at()}; warm-up...`);
    for (const contender of contenders) {
      await underLimitWorkload(contender, {
        keyPrefix: `${contender.id}-warmup-${nonce}`,
        keys: warmup.keys,
        limit: underLimit.limit,
        decisions: warmup.decisions,
        concurrency: warmup.concurrency,
        instances: 1,
      });
    }

    progress(`   ${at()} burst: ${burst.runs} runs x ${burst.decisions} decisions per variant...`);
    for (let run = 1; run <= burst.runs; run += 1) {
      for (const instances of [1, burst.instances]) {
        const workload: LimiterWorkloadId = instances === 1 ? 'burst-1' : 'burst-20';
        for (const contender of contenders) {
          const result = await burstWorkload(contender, {
            key: `${contender.id}-${workload}-${run}-${nonce}`,
            limit: burst.limit,
            decisions: burst.decisions,
            instances,
            fixedNowMs: Date.now(),
          });
          add(contender, workload, result);
        }
      }
    }

    progress(`   ${at()} steady: ${steady.durationMs / 1000} s, all limiters at once on their own keys...`);
    const steadyRuns = await Promise.all(
      contenders.map((contender) =>
        steadyWorkload(contender, { key: `${contender.id}-steady-${nonce}`, ...steady }),
      ),
    );
    contenders.forEach((contender, index) => {
      const run = steadyRuns[index];
      if (run !== undefined) add(contender, 'steady', run);
    });

    progress(
      `   ${at()} under limit: ${underLimit.decisions} decisions over ${underLimit.keys} keys per variant...`,
    );
    for (const instances of [1, underLimit.concurrency]) {
      const workload: LimiterWorkloadId = instances === 1 ? 'under-1' : 'under-20';
      for (const contender of contenders.filter((entry) => underLimitRuns(entry, instances))) {
        add(
          contender,
          workload,
          await underLimitWorkload(contender, {
            keyPrefix: `${contender.id}-${workload}-${nonce}`,
            ...underLimit,
            instances,
          }),
        );
      }
    }

    const warnings = bulwark
      .filter((contender) => contender.reportedCalls() !== contender.calls())
      .map(
        (contender) =>
          `${contender.label}: decisions reported ${contender.reportedCalls()} backend calls, ` +
          `the client counted ${contender.calls()}`,
      );
    const rows: LimiterRow[] = [];
    for (const workload of Object.keys(limiterWorkloadLabels) as LimiterWorkloadId[]) {
      for (const { id, label, bulwark: isBulwark } of contenders) {
        const done = runs.get(`${id}|${workload}`);
        if (done !== undefined)
          rows.push({ contender: { id, label, bulwark: isBulwark }, workload, runs: done });
      }
    }
    return {
      rows,
      cacheRejects: Object.fromEntries(bulwark.map((contender) => [contender.id, contender.cacheRejects()])),
      warnings,
      elapsedS: (performance.now() - started) / 1000,
    };
  } finally {
    for (const client of clients) client.destroy();
    await local.stop();
  }
};
