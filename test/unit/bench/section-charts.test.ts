/**
 * The charts of docs/benchmarks.md are made from the tables next to them: for figures made up here, each
 * chart's bars are the table's column, row by row, as printed.
 */
import { describe, expect, it } from 'vitest';
import { authFigures } from '../../../bench/auth/auth-figures.js';
import { costChart } from '../../../bench/auth/cost-chart.js';
import { costRows, costTable } from '../../../bench/auth/cost-table.js';
import type { AuthScenarioResult } from '../../../bench/auth/measure-auth-calls.js';
import type { RouteCallsResult } from '../../../bench/auth/measure-route-calls.js';
import { baselineId } from '../../../bench/baseline/baseline-fixture.js';
import type { FunctionBundle } from '../../../bench/build-function-bundles.js';
import { columnCells, columnNumbers } from '../../../bench/charts/table-column.js';
import { coldStartChart } from '../../../bench/cold-start/cold-start-chart.js';
import { coldStartFigures } from '../../../bench/cold-start/cold-start-figures.js';
import { targetsTable } from '../../../bench/cold-start/cold-start-tables.js';
import { coldStartVerdicts } from '../../../bench/cold-start/cold-start-targets.js';
import type { ColdStartResult } from '../../../bench/cold-start/measure-cold-starts.js';
import type { WorkloadRun } from '../../../bench/limiter/decision-log.js';
import { limiterChart } from '../../../bench/limiter/limiter-chart.js';
import { limiterFigures } from '../../../bench/limiter/limiter-figures.js';
import { limiterTable } from '../../../bench/limiter/limiter-table.js';
import { limiterTarget } from '../../../bench/limiter/limiter-target.js';
import type { LimiterRow, LimiterWorkloadId } from '../../../bench/limiter/measure-limiters.js';
import { barChartsIn } from '../../support/mermaid-bar-chart.js';

const run = (decisions: number, calls: number, admitted = 50, expected = 50): WorkloadRun => ({
  decisions,
  admitted,
  expected,
  calls,
  latenciesMs: [1, 2, 3],
});

const contenders = {
  'bulwark-tb': { id: 'bulwark-tb', label: 'Bulwark token bucket', bulwark: true },
  'bulwark-fw': { id: 'bulwark-fw', label: 'Bulwark fixed window', bulwark: true },
  flexible: { id: 'flexible', label: 'rate-limiter-flexible', bulwark: false },
  'flexible-imb': { id: 'flexible-imb', label: 'rate-limiter-flexible, inMemoryBlock', bulwark: false },
} as const;

const row = (
  contender: keyof typeof contenders,
  workload: LimiterWorkloadId,
  runs: WorkloadRun[],
): LimiterRow => ({
  contender: contenders[contender],
  workload,
  runs,
});

const limiterRows: LimiterRow[] = [
  row('bulwark-tb', 'burst-1', [run(200, 200), run(200, 200)]),
  row('flexible', 'burst-1', [run(200, 400), run(200, 400)]),
  row('flexible-imb', 'burst-1', [run(200, 400)]),
  row('bulwark-tb', 'burst-20', [run(200, 69), run(200, 68)]),
  row('flexible', 'burst-20', [run(200, 400)]),
  row('flexible-imb', 'burst-20', [run(200, 136)]),
  row('bulwark-fw', 'steady', [run(440, 119, 100, 100)]),
  row('flexible', 'steady', [run(440, 880, 90, 90)]),
  row('flexible-imb', 'steady', [run(440, 198, 90, 90)]),
  row('bulwark-tb', 'under-20', [run(2000, 2000, 2000, 2000)]),
  row('flexible', 'under-1', [run(2000, 3500, 2000, 2000)]),
];

describe('the limiter chart', () => {
  const table = limiterTable(limiterRows);
  const [chart] = barChartsIn(limiterChart(table));

  it('has one bar per table row, in the table’s order, named by workload and limiter', () => {
    expect(chart?.categories).toEqual(
      columnCells(table, 'workload').map(
        (workload, at) => `${workload} · ${columnCells(table, 'limiter')[at]}`,
      ),
    );
    expect(chart?.categories[0]).toBe('burst, 1 instance · Bulwark token bucket');
  });

  it('shows the table’s calls/decision, as printed', () => {
    expect(chart?.values).toEqual(columnNumbers(table, 'calls/decision'));
    expect(chart?.values.slice(0, 4)).toEqual([1, 2, 2, 0.34]);
  });

  it('gives the summary Bulwark’s overload average and flexible’s over the same workloads', () => {
    const figures = limiterFigures(limiterRows, limiterTarget(limiterRows), '2026-12-02T00:00:00.000Z');
    expect(figures).toEqual({
      section: 'limiter',
      run: '2026-12-02T00:00:00.000Z',
      bulwarkCallsPerDecision: (200 + 200 + 69 + 68 + 119) / (4 * 200 + 440),
      flexibleCallsPerDecision: (400 + 400 + 400 + 880) / (3 * 200 + 440),
      flexibleInMemoryCallsPerDecision: (400 + 136 + 198) / (2 * 200 + 440),
      exact: true,
    });
  });
});

const percentiles = (p50: number) => ({ p50, p90: p50 * 1.5 });
const coldResult = (id: string, initMs: number): ColdStartResult => ({
  id,
  samples: 20,
  initMs: percentiles(initMs),
  readyMs: percentiles(initMs + 25),
  firstRequestMs: percentiles(20),
  initPlusFirstMs: percentiles(initMs + 20),
  initCpuMs: percentiles(initMs * 0.9),
  initPlusFirstCpuMs: percentiles(initMs * 0.9 + 15),
  secretsManagerCalls: { min: 1, max: 1 },
  dynamoDbCalls: { min: 1, max: 2 },
  lastAnswer: undefined,
});
const bundle = (id: string, kib: number): FunctionBundle => ({
  id,
  outfile: `${id}.mjs`,
  bytes: kib * 1024,
  gzipBytes: kib * 300,
  packages: [],
  ownModules: [],
});

describe('the cold-start chart', () => {
  const bundles = [
    bundle(baselineId, 490),
    bundle('health', 310),
    bundle('login', 380),
    bundle('list-api-keys', 460),
  ];
  const results = [
    coldResult(baselineId, 145.5),
    coldResult('health', 66.8),
    coldResult('login', 130.3),
    coldResult('list-api-keys', 149.1),
  ];
  const bench = { bundles, results, elapsedS: 100 };
  const verdicts = coldStartVerdicts(bundles, results);
  const table = targetsTable(bench, verdicts);
  const [chart] = barChartsIn(coldStartChart(table));

  it('shows the init ratio column as printed, the baseline’s 1.00 first', () => {
    expect(chart?.categories).toEqual(columnCells(table, 'function'));
    expect(chart?.values).toEqual(columnNumbers(table, 'init ratio'));
    expect(chart?.values).toEqual([1, 0.46, 0.9, 1.02]);
  });

  it('names the targets in its title from the targets themselves', () => {
    expect(chart?.title).toContain('at most 0.90, 0.85 for health, jwks, route-fallback');
  });

  it('gives the summary the count that meets both targets and the fastest and slowest ratio as printed', () => {
    expect(coldStartFigures(table, verdicts, 'r')).toEqual({
      section: 'cold-start',
      run: 'r',
      functions: 3,
      meetingTargets: 2,
      fastest: { id: 'health', initRatio: 0.46 },
      slowest: { id: 'list-api-keys', initRatio: 1.02 },
    });
  });
});

describe('the cost chart', () => {
  const counted = (calls: number, operations: [string, number][]) => ({
    requests: 10,
    calls: calls * 10,
    minCallsPerRequest: calls,
    maxCallsPerRequest: calls,
    operations: new Map(operations),
  });
  const auth = [
    {
      id: 'token',
      label: '(a)',
      ...counted(1, [
        ['TransactWriteItems', 10],
        ['TransactWriteItems:items', 20],
      ]),
    },
    {
      id: 'api-key',
      label: '(b)',
      ...counted(2, [
        ['GetItem', 10],
        ['UpdateItem', 10],
      ]),
    },
  ] as unknown as AuthScenarioResult[];
  const routes = [
    {
      id: 'public',
      label: 'public',
      expectedStatus: 200,
      statuses: new Map(),
      ...counted(1, [['UpdateItem', 10]]),
    },
    {
      id: 'refresh',
      label: 'refresh',
      expectedStatus: 200,
      statuses: new Map(),
      ...counted(2, [['UpdateItem', 20]]),
    },
  ] as unknown as RouteCallsResult[];
  const table = costTable(costRows(auth, routes));
  const [chart] = barChartsIn(costChart(table));

  it('shows the $ per million column as printed, one bar per request kind', () => {
    expect(chart?.categories).toEqual(['public route', 'access token', 'API key', 'refresh']);
    expect(chart?.values).toEqual(columnNumbers(table, '$ per million'));
    expect(chart?.values).toEqual([0.63, 2.5, 0.75, 1.25]);
  });

  it('gives the summary the rows as printed', () => {
    expect(authFigures(table, 'r').costs).toEqual([
      { kind: 'public route', callsPerRequest: 1, dollarsPerMillion: 0.63 },
      { kind: 'access token', callsPerRequest: 1, dollarsPerMillion: 2.5 },
      { kind: 'API key', callsPerRequest: 2, dollarsPerMillion: 0.75 },
      { kind: 'refresh', callsPerRequest: 2, dollarsPerMillion: 1.25 },
    ]);
  });
});
