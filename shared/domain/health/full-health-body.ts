import * as z from 'zod/mini';
import type { BreakerStatus, BreakerStatusUnknown } from '../breaker/breaker-status.js';
import { breakerStatusBody } from '../breaker/breaker-status-body.js';
import { guardrailKinds } from '../guardrails/guardrails.js';
import { type FullHealthReport, limiterOutcomes } from './full-health.js';

const instant = z.iso.datetime({ offset: true });
const count = z.int().check(z.gte(0));

/** `GET /health/full`: states, ages and counts only, never a secret or a configuration value. */
export const fullHealthBody = z
  .strictObject({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    checked_at: instant,
    components: z.record(
      z.string(),
      z.strictObject({ status: z.enum(['ok', 'unavailable']), latency_ms: count }),
    ),
    signing_keys: z.strictObject({
      rotation_enabled: z.boolean(),
      last_rotated_at: z.nullable(instant),
      next_rotation_at: z.nullable(instant),
      age_seconds: z.nullable(z.int()),
      seconds_to_next_rotation: z.nullable(z.int()),
      overdue: z.boolean(),
    }),
    limiter: z.strictObject({
      scope: z.literal('process'),
      since: instant,
      outcomes: z.strictObject(
        Object.fromEntries(limiterOutcomes.map((outcome) => [outcome, count])) as Record<
          (typeof limiterOutcomes)[number],
          typeof count
        >,
      ),
    }),
    guardrails: z.strictObject({
      unlimited_api_keys: count,
      fail_open_in_effect: z.boolean(),
      signing_keys_overdue: z.boolean(),
      recent_events: z.array(
        z.strictObject({
          kind: z.enum(guardrailKinds),
          status: z.literal('breach'),
          subject: z.string(),
          facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
          at: instant,
        }),
      ),
    }),
    /** Each non-security dependency's circuit (the triage model): never part of `status`. */
    breakers: z.array(breakerStatusBody),
  })
  .register(z.globalRegistry, {
    id: 'FullHealth',
    description: 'Every backend, the signing-key age, limiter counters and guard-rail state',
  });

/** Compile-time tie: the report full-health.ts builds is what the schema describes. */
export const asFullHealthBody = (
  report: FullHealthReport & { readonly breakers: readonly (BreakerStatus | BreakerStatusUnknown)[] },
): z.input<typeof fullHealthBody> => ({
  ...report,
  breakers: report.breakers.map((breaker) => ({ ...breaker })),
  components: { ...report.components },
  limiter: { ...report.limiter, outcomes: { ...report.limiter.outcomes } },
  guardrails: {
    ...report.guardrails,
    recent_events: report.guardrails.recent_events.map((event) => ({ ...event, facts: { ...event.facts } })),
  },
});
