import { setTimeout as sleep } from 'node:timers/promises';
import { createDynamoDbClient } from '../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { dynamoDbRateLimitStore } from '../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';
import { systemClock } from '../../shared/domain/clock.js';
import type { RateLimitPolicy } from '../../shared/domain/rate-limit/rate-limit-policy.js';
import { createRateLimiter } from '../../shared/domain/rate-limit/rate-limiter.js';
import { defaultLeasingOptions } from '../../shared/domain/rate-limit/window-lease.js';
import { createTables } from '../../shared/local/create-tables.js';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { countDynamoDbCalls } from './count-dynamodb-calls.js';

/** The hot key: one key, 5,000 per second, offered 10,000 per second over 20 instances for 10 s. */
export const hotKeySettings = {
  policy: { kind: 'fixed_window', requests: 5_000, windowSeconds: 1 } as const satisfies RateLimitPolicy,
  offeredPerSecond: 10_000,
  instances: 20,
  durationMs: 10_000,
  tickMs: 10,
  targets: { admittedShareMin: 0.95, writesPerAdmittedMax: 0.05 },
} as const;

export interface HotKeyResult {
  readonly offered: number;
  readonly admitted: number;
  /** The policy's maximum for the decisions as offered: min(quota, offered) per aligned window. */
  readonly maximum: number;
  /** Most admitted in any one window, and the quota it must stay under. */
  readonly busiestWindow: number;
  readonly windows: number;
  readonly writes: number;
  readonly leaseAdmits: number;
  readonly localRejects: number;
  readonly writesPerSecondMax: number;
  readonly elapsedS: number;
  readonly offeredPerSecond: number;
  readonly lagMsMax: number;
}

export interface HotKeyVerdict {
  readonly neverAbove: boolean;
  readonly admittedShare: number;
  readonly writesPerAdmitted: number;
  readonly met: boolean;
  readonly line: string;
}

export const hotKeyVerdict = (result: HotKeyResult): HotKeyVerdict => {
  const { targets, policy } = hotKeySettings;
  const neverAbove = result.busiestWindow <= policy.requests && result.admitted <= result.maximum;
  const admittedShare = result.maximum === 0 ? 0 : result.admitted / result.maximum;
  const writesPerAdmitted =
    result.admitted === 0 ? Number.POSITIVE_INFINITY : result.writes / result.admitted;
  const met =
    neverAbove &&
    admittedShare >= targets.admittedShareMin &&
    writesPerAdmitted <= targets.writesPerAdmittedMax;
  const line =
    `Target "hot key: never above the policy, at least ${targets.admittedShareMin * 100} % of its maximum ` +
    `admitted, at most ${targets.writesPerAdmittedMax} DynamoDB writes per admitted request": ` +
    `${met ? 'MET' : 'NOT MET'}. Admitted ${result.admitted} of a maximum of ${result.maximum} ` +
    `(${(admittedShare * 100).toFixed(1)} %; busiest window ${result.busiestWindow} of ${policy.requests}` +
    `${neverAbove ? ', never above' : ', ABOVE THE POLICY'}) with ${result.writes} writes ` +
    `(${writesPerAdmitted.toFixed(4)} per admitted request, at most ${result.writesPerSecondMax} in one second).`;
  return { neverAbove, admittedShare, writesPerAdmitted, met, line };
};

/**
 * Simulated Lambda instances (each its own limiter with leasing, as `rateLimiterFor` builds it) on one
 * DynamoDB Local, one counted client: every `tickMs` each instance starts its share of the offered
 * rate (open loop, not waiting for earlier decisions), from a window boundary, for `durationMs`.
 */
export const measureHotKey = async (progress: (line: string) => void): Promise<HotKeyResult> => {
  const started = performance.now();
  const { policy, offeredPerSecond, instances, durationMs, tickMs } = hotKeySettings;
  const local = await startDynamoDbLocal();
  const client = createDynamoDbClient({
    region: 'local',
    endpoint: local.endpoint,
    maxAttempts: 1,
    requestTimeoutMs: 15_000,
  });
  try {
    const tables = await createTables(client, 'bench-hot-');
    const calls = countDynamoDbCalls(client, 'hotKey');
    const store = dynamoDbRateLimitStore(client, tables.rateLimits);
    // The clock reading each decision is made at: decide() reads the clock before its first await, so
    // the last reading right after the call is that decision's (windows are attributed by it).
    let lastReadingMs = 0;
    const clock = {
      nowMs: () => {
        lastReadingMs = systemClock.nowMs();
        return lastReadingMs;
      },
    };
    const limiters = Array.from({ length: instances }, () =>
      createRateLimiter({ store, clock, leasing: defaultLeasingOptions }),
    );
    const key = `rl#hot-key#api_key:bench-${Date.now()}`;
    const perTick = (offeredPerSecond * tickMs) / 1000 / instances;
    const admittedByWindow = new Map<number, number>();
    const offeredByWindow = new Map<number, number>();
    const writesBySecond = new Map<number, number>();
    let offered = 0;
    let admitted = 0;
    let leaseAdmits = 0;
    let localRejects = 0;
    let failure: unknown;
    const windowMs = policy.windowSeconds * 1000;
    const pending: Promise<void>[] = [];
    const decide = async (instance: number) => {
      const limiter = limiters[instance];
      if (limiter === undefined) return;
      const deciding = limiter.decide(key, policy);
      const atMs = lastReadingMs;
      const window = Math.floor(atMs / windowMs);
      offered += 1;
      offeredByWindow.set(window, (offeredByWindow.get(window) ?? 0) + 1);
      try {
        const decision = await deciding;
        if (decision.backendCalls > 0) {
          const second = Math.floor(atMs / 1000);
          writesBySecond.set(second, (writesBySecond.get(second) ?? 0) + decision.backendCalls);
        }
        if (decision.source === 'lease') leaseAdmits += 1;
        if (decision.source === 'cache') localRejects += 1;
        if (decision.allowed) {
          admitted += 1;
          admittedByWindow.set(window, (admittedByWindow.get(window) ?? 0) + 1);
        }
      } catch (error) {
        failure ??= error;
      }
    };
    // Warm the JIT and the connection pool on another key, then start on a window boundary.
    await Promise.all(limiters.map((limiter) => limiter.decide(`${key}-warm`, policy)));
    const callsBefore = calls();
    await sleep(windowMs - (Date.now() % windowMs));
    progress(
      `   DynamoDB Local up at ${((performance.now() - started) / 1000).toFixed(1)} s; offering load...`,
    );
    const begin = performance.now();
    let lagMsMax = 0;
    let carry = 0;
    for (let tick = 0; tick * tickMs < durationMs; tick += 1) {
      const waitMs = begin + tick * tickMs - performance.now();
      if (waitMs > 0) await sleep(waitMs);
      else lagMsMax = Math.max(lagMsMax, -waitMs);
      for (let instance = 0; instance < instances; instance += 1) {
        carry += perTick;
        for (; carry >= 1; carry -= 1) pending.push(decide(instance));
      }
    }
    const offeredForS = (performance.now() - begin) / 1000;
    await Promise.all(pending);
    if (failure !== undefined) throw new Error('a hot-key decision failed', { cause: failure });
    let maximum = 0;
    for (const count of offeredByWindow.values()) maximum += Math.min(policy.requests, count);
    return {
      offered,
      admitted,
      maximum,
      busiestWindow: Math.max(0, ...admittedByWindow.values()),
      windows: offeredByWindow.size,
      writes: calls() - callsBefore,
      leaseAdmits,
      localRejects,
      writesPerSecondMax: Math.max(0, ...writesBySecond.values()),
      elapsedS: (performance.now() - started) / 1000,
      offeredPerSecond: offered / offeredForS,
      lagMsMax,
    };
  } finally {
    client.destroy();
    await local.stop();
  }
};
