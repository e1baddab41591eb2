/**
 * Logs Insights over many log groups: StartQuery takes at most 50 `logGroupNames`, and a team's app with
 * its own routes can pass that. The source splits the groups into queries of at most 50 and merges their
 * lines, newest first, up to the limit.
 */
import { describe, expect, it } from 'vitest';
import type { SignedJsonCall } from '../../../shared/adapters/aws/signed-json-call.js';
import { insightsLogSource } from '../../../shared/adapters/logs/insights-log-source.js';

const groups = (count: number) => Array.from({ length: count }, (_, index) => `/aws/lambda/fn-${index}`);

/** A Logs Insights stand-in: each query answers one error line per group, stamped by the group's index. */
const standIn = () => {
  const started: string[][] = [];
  const call: SignedJsonCall = async (request) => {
    const target = request.headers?.['x-amz-target'];
    const body = request.body as { logGroupNames?: string[]; queryId?: string };
    if (target === 'Logs_20140328.StartQuery') {
      started.push(body.logGroupNames ?? []);
      return { queryId: String(started.length - 1) };
    }
    const names = started[Number(body.queryId)] ?? [];
    return {
      status: 'Complete',
      results: names.map((name) => {
        const index = Number(name.split('-').at(-1));
        const stamp = `2026-12-02 10:${String(Math.floor(index / 60)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}.000`;
        return [
          { field: '@timestamp', value: stamp },
          { field: '@message', value: JSON.stringify({ level: 'ERROR', message: `boom in ${name}` }) },
        ];
      }),
    };
  };
  return { call, started };
};

describe('insightsLogSource over many log groups', () => {
  it('queries at most 50 log groups per StartQuery, every group once', async () => {
    const { call, started } = standIn();
    const all = groups(120);
    await insightsLogSource(all, call).read(
      { fromMs: 0, toMs: 60_000, limit: 500 },
      AbortSignal.timeout(5_000),
    );
    expect(started.map((names) => names.length)).toEqual([50, 50, 20]);
    expect(started.flat().sort()).toEqual([...all].sort());
  });

  it('merges the queries’ lines newest first, up to the limit', async () => {
    const { call } = standIn();
    const lines = await insightsLogSource(groups(120), call).read(
      { fromMs: 0, toMs: 60_000, limit: 3 },
      AbortSignal.timeout(5_000),
    );
    expect(lines.map((line) => line.message)).toEqual([
      'boom in /aws/lambda/fn-119',
      'boom in /aws/lambda/fn-118',
      'boom in /aws/lambda/fn-117',
    ]);
  });

  it('makes one query when the groups fit in it', async () => {
    const { call, started } = standIn();
    await insightsLogSource(groups(31), call).read(
      { fromMs: 0, toMs: 60_000, limit: 10 },
      AbortSignal.timeout(5_000),
    );
    expect(started).toHaveLength(1);
  });
});
