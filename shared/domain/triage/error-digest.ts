import { createHash } from 'node:crypto';
import type { Redactor } from '../../logging/redact-sensitive.js';

/** Longest problem type or route a group is labelled with. */
const maxLabelLength = 100;

/** Identical errors, counted: same problem type, same route, same message once ids and numbers are masked. */
export interface ErrorGroup {
  readonly problem_type: string;
  readonly route: string;
  /** Short hash of problem type, route and masked message: stable across windows, usable in searches. */
  readonly fingerprint: string;
  /** The masked, redacted message (and the error's own message), cut to a bounded length. */
  readonly message: string;
  readonly count: number;
  readonly first_seen: string;
  readonly last_seen: string;
  /** Up to three request ids of the group, to find the full lines in the logs. */
  readonly sample_request_ids: readonly string[];
}

export interface ErrorDigest {
  readonly window: { readonly from: string; readonly to: string };
  readonly lines_read: number;
  readonly error_lines: number;
  readonly groups_total: number;
  /** Largest groups first, at most `maxGroups`. */
  readonly groups: readonly ErrorGroup[];
}

export interface DigestOptions {
  readonly fromMs: number;
  readonly toMs: number;
  /** Every line is redacted with this before anything is read from it. */
  readonly redactor: Redactor;
  readonly maxGroups: number;
  readonly maxMessageLength: number;
}

const errorLevels = new Set(['ERROR', 'CRITICAL', 'FATAL']);

const stringAt = (record: Record<string, unknown>, key: string): string | undefined => {
  const value = record[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

/** The message of a logged error (Powertools writes `{ name, message, ... }`; a BulwarkError's cause nests one). */
const errorMessageOf = (error: unknown): string | undefined => {
  const record = (error ?? {}) as { message?: unknown; error?: { message?: unknown } };
  const message = record.message ?? record.error?.message;
  return typeof message === 'string' ? message : undefined;
};

/**
 * When a log line was written (epoch ms): `timestamp` or `@timestamp` as ISO 8601 (Powertools), Logs
 * Insights' `2026-11-23 12:00:00.000` (UTC, no zone) or epoch milliseconds; undefined otherwise.
 */
export const logLineTimeMs = (record: Record<string, unknown>): number | undefined => {
  const raw = record.timestamp ?? record['@timestamp'];
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return undefined;
  // Logs Insights writes `2026-11-23 12:00:00.000` (UTC, no zone); Powertools writes ISO 8601.
  const parsed = Date.parse(
    /^\d{4}-\d{2}-\d{2} /.test(raw) && !/[zZ+]/.test(raw) ? `${raw.replace(' ', 'T')}Z` : raw,
  );
  return Number.isNaN(parsed) ? undefined : parsed;
};

/** Ids, hex runs and numbers masked, so one error with different ids counts as one group. */
export const maskVariableParts = (text: string): string =>
  text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\b[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The digest of a window's log lines: error level only, each line redacted first, grouped by problem
 * type, route and masked message with counts and first/last seen, largest groups first and capped. What
 * a model reads and what the route answers without one.
 */
export const buildErrorDigest = (
  records: readonly Record<string, unknown>[],
  options: DigestOptions,
): ErrorDigest => {
  const groups = new Map<
    string,
    ErrorGroup & { count: number; firstMs: number; lastMs: number; ids: string[] }
  >();
  let errorLines = 0;
  for (const raw of records) {
    const level = String(raw.level ?? '').toUpperCase();
    if (!errorLevels.has(level)) continue;
    const time = logLineTimeMs(raw);
    if (time === undefined || time < options.fromMs || time > options.toMs) continue;
    errorLines += 1;
    const record = options.redactor.redactValue(raw) as Record<string, unknown>;
    // Labels are capped like messages: a log line may carry any text in them.
    const problemType = (
      stringAt(record, 'code') ??
      stringAt(record, 'error_name') ??
      (typeof record.status === 'number' ? `http-${record.status}` : undefined) ??
      'unknown'
    ).slice(0, maxLabelLength);
    const route = (stringAt(record, 'route') ?? stringAt(record, 'function_name') ?? 'unknown').slice(
      0,
      maxLabelLength,
    );
    const errorMessage = errorMessageOf(record.error);
    const message = maskVariableParts(
      [stringAt(record, 'message') ?? '', errorMessage]
        .filter((part) => part !== undefined && part !== '')
        .join(': '),
    ).slice(0, options.maxMessageLength);
    const fingerprint = createHash('sha256')
      // JSON, not a separator: parts that differ only in where a newline falls stay different groups.
      .update(JSON.stringify([problemType, route, message]))
      .digest('hex')
      .slice(0, 12);
    const requestId = stringAt(record, 'request_id');
    const group = groups.get(fingerprint);
    if (group === undefined) {
      groups.set(fingerprint, {
        problem_type: problemType,
        route,
        fingerprint,
        message,
        count: 1,
        first_seen: '',
        last_seen: '',
        sample_request_ids: [],
        firstMs: time,
        lastMs: time,
        ids: requestId === undefined ? [] : [requestId],
      });
    } else {
      group.count += 1;
      group.firstMs = Math.min(group.firstMs, time);
      group.lastMs = Math.max(group.lastMs, time);
      if (requestId !== undefined && group.ids.length < 3 && !group.ids.includes(requestId))
        group.ids.push(requestId);
    }
  }
  const ordered = [...groups.values()].sort((a, b) => b.count - a.count || b.lastMs - a.lastMs);
  return {
    window: { from: new Date(options.fromMs).toISOString(), to: new Date(options.toMs).toISOString() },
    lines_read: records.length,
    error_lines: errorLines,
    groups_total: ordered.length,
    groups: ordered.slice(0, options.maxGroups).map(({ firstMs, lastMs, ids, ...group }) => ({
      ...group,
      first_seen: new Date(firstMs).toISOString(),
      last_seen: new Date(lastMs).toISOString(),
      sample_request_ids: ids,
    })),
  };
};
