import { gunzipSync } from 'node:zlib';
import { guardrailKinds, type HealthChangedEvent } from '../../domain/guardrails/guardrails.js';

/** What CloudWatch Logs hands a subscription's Lambda destination (`awslogs.data`: base64 of gzip JSON). */
export interface CloudWatchLogsEvent {
  readonly awslogs: { readonly data: string };
}

interface LogsPayload {
  readonly messageType?: string;
  readonly logGroup?: string;
  readonly logEvents?: readonly { readonly message?: string }[];
}

const factValue = (value: unknown): value is string | number | boolean =>
  (typeof value === 'string' && value.length <= 256) ||
  typeof value === 'number' ||
  typeof value === 'boolean';

/**
 * Only a line written by logGuardrailSink, re-checked field by field: a known kind, a short subject, flat
 * facts of plain values, an ISO instant. Anything else is skipped, never forwarded.
 */
const eventOf = (message: string): HealthChangedEvent | undefined => {
  let line: { message?: unknown; event?: Record<string, unknown> };
  try {
    line = JSON.parse(message) as typeof line;
  } catch {
    return undefined;
  }
  const event = line.event;
  if (line.message !== 'guard-rail event' || event === null || typeof event !== 'object') return undefined;
  const { kind, status, subject, facts, at } = event;
  if (!(guardrailKinds as readonly unknown[]).includes(kind) || status !== 'breach') return undefined;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 128) return undefined;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return undefined;
  if (facts === null || typeof facts !== 'object' || Array.isArray(facts)) return undefined;
  const entries = Object.entries(facts as Record<string, unknown>);
  if (entries.length > 20 || !entries.every(([, value]) => factValue(value))) return undefined;
  return {
    kind: kind as HealthChangedEvent['kind'],
    status: 'breach',
    subject,
    facts: Object.fromEntries(entries) as HealthChangedEvent['facts'],
    at,
  };
};

/** The guard-rail events in one subscription delivery, with the log group they came from. */
export const guardrailEventsOf = (
  delivery: CloudWatchLogsEvent,
): { readonly logGroup: string | undefined; readonly events: readonly HealthChangedEvent[] } => {
  const payload = JSON.parse(
    gunzipSync(Buffer.from(delivery.awslogs.data, 'base64')).toString('utf8'),
  ) as LogsPayload;
  if (payload.messageType !== 'DATA_MESSAGE') return { logGroup: payload.logGroup, events: [] };
  const events = (payload.logEvents ?? []).flatMap((logEvent) => {
    const event = typeof logEvent.message === 'string' ? eventOf(logEvent.message) : undefined;
    return event === undefined ? [] : [event];
  });
  return { logGroup: payload.logGroup, events };
};
