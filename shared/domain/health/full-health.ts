import { BulwarkError } from '../../errors/bulwark-error.js';
import type { Clock } from '../clock.js';
import type { GuardrailKind, HealthChangedEvent } from '../guardrails/guardrails.js';
import type { SecretRotation } from '../secret-store.js';

/** One backend check: resolves when the backend answered, throws when it did not. */
export interface ComponentProbe {
  /** `dynamodb:users`, `secrets-manager`, ...: names a backend, never a resource name or an ARN. */
  readonly name: string;
  readonly check: () => Promise<void>;
}

export interface FullHealthDependencies {
  readonly probes: readonly ComponentProbe[];
  /** Each probe gets at most this long (it also has its client's own deadline). */
  readonly budgetMs: number;
  readonly clock: Clock;
  readonly version: string;
  /** The signing-key secret's rotation; a failure counts as the `secrets-manager` component failing. */
  readonly signingKeyRotation: () => Promise<SecretRotation>;
  /** How many active API keys are unlimited in effect (a guard-rail state, counted, never listed). */
  readonly unlimitedApiKeys: () => Promise<number>;
  /** Whether any route of this deployment admits requests unlimited when the limiter fails. */
  readonly failOpenInEffect: boolean;
  /** Limiter outcomes counted by this process since it started. */
  readonly limiterOutcomes: {
    readonly sinceMs: number;
    readonly counts: () => Readonly<Record<string, number>>;
  };
  readonly recentEvents: () => readonly HealthChangedEvent[];
  readonly raise: (
    kind: GuardrailKind,
    subject: string,
    facts: Readonly<Record<string, string | number | boolean>>,
  ) => Promise<void>;
}

export interface ComponentReport {
  readonly status: 'ok' | 'unavailable';
  readonly latency_ms: number;
}

/** The answer of `GET /health/full`: states and counts only, never a secret or a configuration value. */
export interface FullHealthReport {
  readonly status: 'ok' | 'degraded';
  readonly version: string;
  readonly checked_at: string;
  readonly components: Readonly<Record<string, ComponentReport>>;
  readonly signing_keys: {
    readonly rotation_enabled: boolean;
    readonly last_rotated_at: string | null;
    readonly next_rotation_at: string | null;
    readonly age_seconds: number | null;
    readonly seconds_to_next_rotation: number | null;
    readonly overdue: boolean;
  };
  readonly limiter: {
    readonly scope: 'process';
    readonly since: string;
    readonly outcomes: Readonly<Record<(typeof limiterOutcomes)[number], number>>;
  };
  readonly guardrails: {
    readonly unlimited_api_keys: number;
    readonly fail_open_in_effect: boolean;
    readonly signing_keys_overdue: boolean;
    readonly recent_events: readonly HealthChangedEvent[];
  };
}

/** A backend failed its check: 503 naming the components (names only), with Retry-After. */
export class HealthCheckFailedError extends BulwarkError {
  readonly failing: readonly string[];

  constructor(failing: readonly string[], cause?: unknown) {
    super('service-unavailable', {
      detail: `Unavailable: ${failing.join(', ')}.`,
      headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' },
      cause,
    });
    this.name = 'HealthCheckFailedError';
    this.failing = failing;
  }
}

export const limiterOutcomes = [
  'allow',
  'reject',
  'local_reject',
  'backend_error',
  'fail_open',
  'fail_closed',
] as const;

/** Rotation runs every 30 days (ADR 0011); a key older than this, or a rotation a day late, is overdue. */
export const SIGNING_KEY_MAX_AGE_MS = 31 * 86_400_000;
const rotationLateMs = 86_400_000;

class ProbeTimedOutError extends Error {
  constructor(name: string, budgetMs: number) {
    super(`${name} did not answer within ${budgetMs} ms`);
    this.name = 'ProbeTimedOutError';
  }
}

const withinBudget = async <T>(name: string, budgetMs: number, work: () => Promise<T>): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ProbeTimedOutError(name, budgetMs)), budgetMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

const isoOrNull = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

/** Whether the signing keys missed their rotation: only judged where something rotates them. */
export const signingKeysOverdue = (rotation: SecretRotation, nowMs: number): boolean => {
  if (!rotation.rotationEnabled) return false;
  const { lastRotatedAtMs, nextRotationAtMs } = rotation;
  if (lastRotatedAtMs === undefined) return true;
  if (nowMs - lastRotatedAtMs > SIGNING_KEY_MAX_AGE_MS) return true;
  return nextRotationAtMs !== undefined && nowMs - nextRotationAtMs > rotationLateMs;
};

/**
 * Checks every backend at once, each within the budget, and reports guard-rail state. Throws
 * HealthCheckFailedError (503) naming every component that failed; raises `signing_keys_overdue`.
 */
export const checkFullHealth = async (deps: FullHealthDependencies): Promise<FullHealthReport> => {
  const { clock, budgetMs } = deps;
  const timed = async (probe: ComponentProbe): Promise<[string, ComponentReport, unknown]> => {
    const startedMs = clock.nowMs();
    try {
      await withinBudget(probe.name, budgetMs, probe.check);
      return [probe.name, { status: 'ok', latency_ms: clock.nowMs() - startedMs }, undefined];
    } catch (error) {
      return [probe.name, { status: 'unavailable', latency_ms: clock.nowMs() - startedMs }, error];
    }
  };
  const rotationProbe = (async () => {
    try {
      return await withinBudget('secrets-manager', budgetMs, deps.signingKeyRotation);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  })();
  const scanStartedMs = clock.nowMs();
  let scanMs = 0;
  const unlimitedProbe = (async () => {
    try {
      return await withinBudget('dynamodb:api-keys', budgetMs, deps.unlimitedApiKeys);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      scanMs = clock.nowMs() - scanStartedMs;
    }
  })();
  const [results, rotation, unlimited] = await Promise.all([
    Promise.all(deps.probes.map(timed)),
    rotationProbe,
    unlimitedProbe,
  ]);
  const components: Record<string, ComponentReport> = Object.fromEntries(
    results.map(([name, report]) => [name, report]),
  );
  // The API-key table answers through the scan that counts unlimited keys.
  components['dynamodb:api-keys'] = {
    status: unlimited instanceof Error ? 'unavailable' : 'ok',
    latency_ms: scanMs,
  };
  const failing = results.filter(([, report]) => report.status !== 'ok').map(([name]) => name);
  if (rotation instanceof Error && !failing.includes('secrets-manager')) failing.push('secrets-manager');
  if (unlimited instanceof Error && !failing.includes('dynamodb:api-keys')) failing.push('dynamodb:api-keys');
  if (failing.length > 0) {
    throw new HealthCheckFailedError(
      failing,
      results.filter(([, , error]) => error !== undefined).map(([name, , error]) => ({ name, error })),
    );
  }
  const rotationOk = rotation as SecretRotation;
  const nowMs = clock.nowMs();
  const overdue = signingKeysOverdue(rotationOk, nowMs);
  if (overdue) {
    await deps.raise('signing_keys_overdue', 'jwtSigningKeys', {
      last_rotated_at: isoOrNull(rotationOk.lastRotatedAtMs) ?? 'never',
    });
  }
  const tally = deps.limiterOutcomes;
  const counts = tally.counts();
  const unlimitedCount = unlimited as number;
  return {
    status: overdue || unlimitedCount > 0 || deps.failOpenInEffect ? 'degraded' : 'ok',
    version: deps.version,
    checked_at: new Date(nowMs).toISOString(),
    components,
    signing_keys: {
      rotation_enabled: rotationOk.rotationEnabled,
      last_rotated_at: isoOrNull(rotationOk.lastRotatedAtMs),
      next_rotation_at: isoOrNull(rotationOk.nextRotationAtMs),
      age_seconds:
        rotationOk.lastRotatedAtMs === undefined
          ? null
          : Math.floor((nowMs - rotationOk.lastRotatedAtMs) / 1000),
      seconds_to_next_rotation:
        rotationOk.nextRotationAtMs === undefined
          ? null
          : Math.floor((rotationOk.nextRotationAtMs - nowMs) / 1000),
      overdue,
    },
    limiter: {
      scope: 'process',
      since: new Date(tally.sinceMs).toISOString(),
      outcomes: Object.fromEntries(
        limiterOutcomes.map((outcome) => [outcome, counts[`rate_limit_${outcome}`] ?? 0]),
      ) as FullHealthReport['limiter']['outcomes'],
    },
    guardrails: {
      unlimited_api_keys: unlimitedCount,
      fail_open_in_effect: deps.failOpenInEffect,
      signing_keys_overdue: overdue,
      recent_events: deps.recentEvents(),
    },
  };
};
