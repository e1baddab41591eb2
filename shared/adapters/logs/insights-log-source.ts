import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorLogSource } from '../../domain/triage/triage-ports.js';
import type { SignedJsonCall } from '../aws/signed-json-call.js';

/** A Logs Insights query that could not finish (Failed, Cancelled, Timeout, or the budget ran out). */
export class LogQueryFailedError extends Error {
  constructor(status: string) {
    super(`the Logs Insights query ended ${status}`);
    this.name = 'LogQueryFailedError';
  }
}

/** Error-level JSON lines, and the platform's own failures that are not JSON (timeouts, init errors). */
export const errorLinesQuery = (limit: number): string =>
  [
    'fields @timestamp, @message',
    '| filter level = "ERROR" or level = "CRITICAL" or @message like /Task timed out/ or @message like /Runtime\\.\\w+Error/',
    '| sort @timestamp desc',
    `| limit ${limit}`,
  ].join(' ');

const target = (operation: string) => ({ 'x-amz-target': `Logs_20140328.${operation}` });
const json11 = { 'content-type': 'application/x-amz-json-1.1' };

interface QueryResults {
  readonly status?: string;
  readonly results?: readonly (readonly { readonly field?: string; readonly value?: string }[])[];
}

/** A line as the digest reads it: the JSON the function wrote, or a platform line as an error message. */
export const structuredLine = (message: string, timestamp: string | undefined): Record<string, unknown> => {
  try {
    const parsed: unknown = JSON.parse(message);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return {
        ...(timestamp === undefined ? {} : { '@timestamp': timestamp }),
        ...(parsed as Record<string, unknown>),
      };
    }
  } catch {
    // A platform line (Task timed out, Runtime.ImportModuleError, ...): an error by the query's filter.
  }
  return { level: 'ERROR', message: message.trim(), '@timestamp': timestamp, code: 'platform' };
};

/** StartQuery takes at most this many `logGroupNames`. */
export const MAX_LOG_GROUPS_PER_QUERY = 50;

const chunksOf = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

/** One StartQuery over `logGroupNames`, then GetQueryResults until it completes (or the signal fires). */
const runQuery = async (
  call: SignedJsonCall,
  logGroupNames: readonly string[],
  { fromMs, toMs, limit }: { readonly fromMs: number; readonly toMs: number; readonly limit: number },
  signal: AbortSignal,
): Promise<Record<string, unknown>[]> => {
  const started = (await call(
    {
      path: '/',
      headers: { ...json11, ...target('StartQuery') },
      body: {
        logGroupNames,
        startTime: Math.floor(fromMs / 1000),
        endTime: Math.ceil(toMs / 1000),
        queryString: errorLinesQuery(limit),
        limit,
      },
    },
    signal,
  )) as { queryId?: string };
  if (typeof started.queryId !== 'string') throw new LogQueryFailedError('without a query id');
  for (let attempt = 0; ; attempt += 1) {
    await sleep(Math.min(1_000, 150 * 2 ** attempt), undefined, { signal });
    const results = (await call(
      {
        path: '/',
        headers: { ...json11, ...target('GetQueryResults') },
        body: { queryId: started.queryId },
      },
      signal,
    )) as QueryResults;
    if (results.status === 'Complete') {
      return (results.results ?? []).map((fields) => {
        const value = (name: string) => fields.find((field) => field.field === name)?.value;
        return structuredLine(value('@message') ?? '', value('@timestamp'));
      });
    }
    if (results.status !== 'Running' && results.status !== 'Scheduled') {
      throw new LogQueryFailedError(String(results.status));
    }
  }
};

/** Logs Insights timestamps (`2026-12-02 10:00:00.000`) sort as text; a line without one sorts last. */
const newestFirst = (a: Record<string, unknown>, b: Record<string, unknown>): number =>
  String(b['@timestamp'] ?? '').localeCompare(String(a['@timestamp'] ?? ''));

/**
 * CloudWatch Logs Insights over the stage's function log groups: one query per 50 groups (StartQuery's
 * limit; a team's app with its own routes passes it), run together, each polled with GetQueryResults until
 * it completes (at most until the signal fires); their lines merged newest first, up to the limit. No
 * pagination: the limit is part of each query.
 */
export const insightsLogSource = (
  logGroupNames: readonly string[],
  call: SignedJsonCall,
): ErrorLogSource => ({
  kind: 'cloudwatch-logs-insights',
  read: async (window, signal) => {
    const batches = chunksOf(logGroupNames, MAX_LOG_GROUPS_PER_QUERY);
    const lines = await Promise.all(batches.map((names) => runQuery(call, names, window, signal)));
    return lines.flat().sort(newestFirst).slice(0, window.limit);
  },
});
