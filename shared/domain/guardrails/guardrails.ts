import type { Clock } from '../clock.js';

/**
 * The guard rails whose breach is an operational event (besides its metric):
 * - `api_key_unlimited`: a key was created or updated with `rate_limit: "unlimited"`;
 * - `api_key_unlimited_used`: such a key (or one beyond the ceilings) authenticated a request;
 * - `signing_keys_overdue`: the access-token signing key is older than its rotation interval allows;
 * - `limiter_fail_open`: a request was admitted unlimited because the limiter's backend failed.
 */
export const guardrailKinds = [
  'api_key_unlimited',
  'api_key_unlimited_used',
  'signing_keys_overdue',
  'limiter_fail_open',
] as const;
export type GuardrailKind = (typeof guardrailKinds)[number];

/** Plain values only: ids, names, counts, instants. Never a secret, a credential or a request value. */
export type GuardrailFacts = Readonly<Record<string, string | number | boolean>>;

/** The `detail` of one `HealthChanged` event (EventBridge source `bulwark.guardrails`). */
export interface HealthChangedEvent {
  readonly kind: GuardrailKind;
  readonly status: 'breach';
  /** What breached: a key id, a route id, a secret id. */
  readonly subject: string;
  readonly facts: GuardrailFacts;
  /** ISO 8601 instant. */
  readonly at: string;
}

/** Port: where events go (EventBridge deployed, the log locally). Throws when an event was not taken. */
export interface GuardrailEventSink {
  readonly publish: (event: HealthChangedEvent) => Promise<void>;
}

export interface Guardrails {
  /**
   * Raises a breach: published at most once per kind and subject per `repeatAfterSeconds` in this
   * process, and never throws (a failed publish is reported through `onPublishFailed`).
   */
  readonly raise: (kind: GuardrailKind, subject: string, facts?: GuardrailFacts) => Promise<void>;
  /** The latest events raised in this process, newest first (for `GET /health/full`). */
  readonly recent: () => readonly HealthChangedEvent[];
}

export interface GuardrailsOptions {
  readonly sink: GuardrailEventSink;
  readonly clock: Clock;
  /** A repeated breach of one subject is published again only after this long. */
  readonly repeatAfterSeconds?: number;
  readonly onPublishFailed?: (event: HealthChangedEvent, error: unknown) => void;
  /** How many events `recent()` keeps. */
  readonly keep?: number;
}

/**
 * Guard-rail events with a repeat window: an unlimited key used a thousand times a minute is one event
 * per window and instance, not a thousand (its metric still counts every use).
 */
export const createGuardrails = (options: GuardrailsOptions): Guardrails => {
  const repeatAfterMs = (options.repeatAfterSeconds ?? 300) * 1000;
  const keep = options.keep ?? 20;
  const lastRaisedMs = new Map<string, number>();
  const recent: HealthChangedEvent[] = [];

  return {
    raise: async (kind, subject, facts = {}) => {
      const nowMs = options.clock.nowMs();
      const key = `${kind}|${subject}`;
      const last = lastRaisedMs.get(key);
      if (last !== undefined && nowMs - last < repeatAfterMs) return;
      lastRaisedMs.set(key, nowMs);
      const event: HealthChangedEvent = {
        kind,
        status: 'breach',
        subject,
        facts: { ...facts },
        at: new Date(nowMs).toISOString(),
      };
      recent.unshift(event);
      recent.length = Math.min(recent.length, keep);
      try {
        await options.sink.publish(event);
      } catch (error) {
        options.onPublishFailed?.(event, error);
      }
    },
    recent: () => [...recent],
  };
};
