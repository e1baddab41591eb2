import { describe, expect, it } from 'vitest';
import {
  checkFullHealth,
  type FullHealthDependencies,
  HealthCheckFailedError,
  SIGNING_KEY_MAX_AGE_MS,
  signingKeysOverdue,
} from '../../../shared/domain/health/full-health.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { manualClock } from '../../support/test-runtime.js';

const nowMs = Date.UTC(2026, 10, 23, 12);

const dependencies = (overrides: Partial<FullHealthDependencies> = {}) => {
  const raised: string[] = [];
  const deps: FullHealthDependencies = {
    probes: [
      { name: 'dynamodb:users', check: async () => undefined },
      { name: 'secrets-manager', check: async () => undefined },
    ],
    budgetMs: 200,
    clock: manualClock(nowMs),
    version: '1.2.3',
    signingKeyRotation: async () => ({
      rotationEnabled: true,
      lastRotatedAtMs: nowMs - 86_400_000,
      nextRotationAtMs: nowMs + 29 * 86_400_000,
    }),
    unlimitedApiKeys: async () => 0,
    failOpenInEffect: false,
    limiterOutcomes: { sinceMs: nowMs - 1000, counts: () => ({ rate_limit_allow: 7, rate_limit_reject: 2 }) },
    recentEvents: () => [],
    raise: async (kind) => {
      raised.push(kind);
    },
    ...overrides,
  };
  return { deps, raised };
};

describe('checkFullHealth', () => {
  it('reports every component, the key age, the limiter outcomes and the version', async () => {
    const { deps } = dependencies();
    const report = await checkFullHealth(deps);
    expect(report.status).toBe('ok');
    expect(report.version).toBe('1.2.3');
    expect(Object.keys(report.components).sort()).toEqual([
      'dynamodb:api-keys',
      'dynamodb:users',
      'secrets-manager',
    ]);
    expect(report.signing_keys).toMatchObject({
      age_seconds: 86_400,
      seconds_to_next_rotation: 29 * 86_400,
      overdue: false,
    });
    expect(report.limiter.outcomes).toEqual({
      allow: 7,
      reject: 2,
      local_reject: 0,
      backend_error: 0,
      fail_open: 0,
      fail_closed: 0,
    });
  });

  it('answers 503 naming every failing component, a probe that outlives the budget included', async () => {
    const { deps } = dependencies({
      probes: [
        { name: 'dynamodb:users', check: async () => undefined },
        { name: 'dynamodb:sessions', check: () => new Promise(() => undefined) },
        {
          name: 'secrets-manager',
          check: async () => {
            throw new Error('down');
          },
        },
      ],
      budgetMs: 50,
    });
    const error = await rejectionOf(checkFullHealth(deps));
    expect(error).toBeInstanceOf(HealthCheckFailedError);
    expect((error as HealthCheckFailedError).detail).toBe('Unavailable: dynamodb:sessions, secrets-manager.');
    expect((error as HealthCheckFailedError).headers['Retry-After']).toBe('5');
  });

  it('flags overdue signing keys, raises the guard rail and reports degraded', async () => {
    const { deps, raised } = dependencies({
      signingKeyRotation: async () => ({
        rotationEnabled: true,
        lastRotatedAtMs: nowMs - SIGNING_KEY_MAX_AGE_MS - 1,
      }),
    });
    const report = await checkFullHealth(deps);
    expect(report.status).toBe('degraded');
    expect(report.guardrails.signing_keys_overdue).toBe(true);
    expect(raised).toEqual(['signing_keys_overdue']);
  });

  it('reports degraded while an unlimited key exists or fail-open is in effect', async () => {
    expect((await checkFullHealth(dependencies({ unlimitedApiKeys: async () => 2 }).deps)).status).toBe(
      'degraded',
    );
    expect((await checkFullHealth(dependencies({ failOpenInEffect: true }).deps)).status).toBe('degraded');
  });
});

describe('signingKeysOverdue', () => {
  it('judges only keys something rotates: never rotated, too old, or a rotation a day late', () => {
    expect(signingKeysOverdue({ rotationEnabled: false }, nowMs)).toBe(false);
    expect(signingKeysOverdue({ rotationEnabled: true }, nowMs)).toBe(true);
    expect(signingKeysOverdue({ rotationEnabled: true, lastRotatedAtMs: nowMs - 1000 }, nowMs)).toBe(false);
    expect(
      signingKeysOverdue(
        { rotationEnabled: true, lastRotatedAtMs: nowMs - 1000, nextRotationAtMs: nowMs - 2 * 86_400_000 },
        nowMs,
      ),
    ).toBe(true);
  });
});
