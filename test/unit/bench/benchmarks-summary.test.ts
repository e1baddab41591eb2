import { describe, expect, it } from 'vitest';
import { benchmarksSummary, summaryOf, withSummary } from '../../../bench/summary/benchmarks-summary.js';
import {
  type AuthFigures,
  type ColdStartFigures,
  figuresComment,
  type LimiterFigures,
  readFigures,
} from '../../../bench/summary/section-figures.js';
import { replaceSection } from '../../../bench/write-benchmarks-section.js';

const limiter: LimiterFigures = {
  section: 'limiter',
  run: '2026-12-02T04:56:32.852Z',
  bulwarkCallsPerDecision: 0.6663,
  flexibleCallsPerDecision: 2,
  flexibleInMemoryCallsPerDecision: 0.8123,
  exact: true,
};
const coldStart: ColdStartFigures = {
  section: 'cold-start',
  run: '2026-12-01T05:35:10.330Z',
  functions: 21,
  meetingTargets: 16,
  fastest: { id: 'health', initRatio: 0.46 },
  slowest: { id: 'health-full', initRatio: 1.02 },
};
const auth: AuthFigures = {
  section: 'auth',
  run: '2026-12-02T05:05:14.447Z',
  costs: [
    { kind: 'public route', callsPerRequest: 1, dollarsPerMillion: 0.63 },
    { kind: 'access token', callsPerRequest: 1, dollarsPerMillion: 2.5 },
    { kind: 'API key', callsPerRequest: 2, dollarsPerMillion: 0.75 },
    { kind: 'login: success', callsPerRequest: 9, dollarsPerMillion: 8.38 },
  ],
};

describe('the summary at the top of docs/benchmarks.md', () => {
  it('quotes each section’s figures with the date of its run', () => {
    const summary = benchmarksSummary([auth, limiter, coldStart]);
    expect(summary).toContain(
      "Under overload Bulwark's rate limiter made **0.67 DynamoDB calls per decision** against 2.00 for " +
        'rate-limiter-flexible (0.81 with its in-memory block), admitting exactly what the limit allows (run of 2026-12-02).',
    );
    expect(summary).toContain(
      '**16 of 21 functions** meet their cold-start targets; module init p50 ranges from 0.46x (health) to ' +
        "1.02x (health-full) the hand-written handler's (run of 2026-12-01).",
    );
    expect(summary).toContain(
      'In DynamoDB on-demand, a million requests cost **$2.50 with an access token** (1.00 calls each), ' +
        '$0.75 with an API key (2.00 calls each) and $8.38 for successful logins (9.00 calls each) (run of 2026-12-02).',
    );
    expect(summary).not.toContain('\n');
  });

  it('says which part to run for a section without figures, and flags over-admission', () => {
    const summary = benchmarksSummary([{ ...limiter, exact: false }]);
    expect(summary).toContain('**but admitted more than the limit allows in a run**');
    expect(summary).toContain(
      'The cold-start section predates generated figures; `npm run bench -- --only cold-start` adds them here.',
    );
    expect(summary).toContain('The authentication section predates generated figures');
  });

  it('prints ? for a figure a run could not measure (JSON turns NaN into null)', () => {
    const [read] = readFigures(figuresComment({ ...limiter, flexibleCallsPerDecision: Number.NaN }));
    expect(benchmarksSummary(read === undefined ? [] : [read])).toContain(
      'against ? for rate-limiter-flexible',
    );
  });

  it('reads back the figures a section carries', () => {
    const text = `a\n${figuresComment(limiter)}\nb\n${figuresComment(auth)}\n`;
    expect(readFigures(text)).toEqual([limiter, auth]);
  });

  it('goes just under the title, and is rebuilt in place from the sections’ figures', () => {
    const doc = '# Benchmarks\n\nIntro.\n';
    const first = withSummary(doc);
    expect(first.startsWith('# Benchmarks\n\n<!-- bench:summary:start -->\n**In short**')).toBe(true);
    expect(first.endsWith('<!-- bench:summary:end -->\n\nIntro.\n')).toBe(true);
    expect(withSummary(first)).toBe(first);
    const withLimiter = replaceSection(first, 'limiter', `## Limiter\n\n${figuresComment(limiter)}`);
    expect(summaryOf(withLimiter)).toBe(benchmarksSummary([limiter]));
    expect(withLimiter.match(/bench:summary:start/g)?.length).toBe(1);
    const again = replaceSection(
      withLimiter,
      'limiter',
      `## Limiter\n\n${figuresComment({ ...limiter, bulwarkCallsPerDecision: 0.5 })}`,
    );
    expect(summaryOf(again)).toContain('**0.50 DynamoDB calls per decision**');
  });

  it('refuses unbalanced summary markers', () => {
    expect(() => withSummary('# B\n<!-- bench:summary:start -->\n')).toThrow(/unbalanced/);
  });
});
