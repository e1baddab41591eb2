/**
 * docs/benchmarks.md as committed: its charts are the tables beside them and its summary is its sections'
 * figures, so a hand edit of a table, a chart or the summary (or a run of an older bench) shows here.
 */
import { describe, expect, it } from 'vitest';
import { costChart } from '../../bench/auth/cost-chart.js';
import { columnCells, columnNumbers } from '../../bench/charts/table-column.js';
import { coldStartChart } from '../../bench/cold-start/cold-start-chart.js';
import { limiterChart } from '../../bench/limiter/limiter-chart.js';
import { benchmarksSummary, summaryOf } from '../../bench/summary/benchmarks-summary.js';
import { readFigures, type SectionFigures } from '../../bench/summary/section-figures.js';
import { tableWithColumn } from '../support/markdown-tables.js';
import { barChartsIn } from '../support/mermaid-bar-chart.js';
import { readDoc } from './doc-text.js';

const doc = readDoc('docs/benchmarks.md').text;

const sectionOf = (name: string): string => {
  const start = doc.indexOf(`<!-- bench:${name}:start -->`);
  const end = doc.indexOf(`<!-- bench:${name}:end -->`);
  if (start === -1 || end < start) throw new Error(`docs/benchmarks.md has no section ${name}`);
  return doc.slice(start, end);
};

const figuresOf = <Name extends SectionFigures['section']>(name: Name) => {
  const found = readFigures(sectionOf(name));
  expect(found.map((entry) => entry.section)).toEqual([name]);
  return found[0] as Extract<SectionFigures, { section: Name }>;
};

const charts = [
  { section: 'limiter', column: 'calls/decision', chart: limiterChart },
  { section: 'cold-start', column: 'init ratio', chart: coldStartChart },
  { section: 'auth', column: '$ per million', chart: costChart },
] as const;

describe('docs/benchmarks.md is in step with itself', () => {
  it('has generated the limiter and authentication sections with their figures and charts', () => {
    const sections = readFigures(doc).map((figures) => figures.section);
    expect(sections).toEqual(expect.arrayContaining(['limiter', 'auth']));
  });

  // A section written before sections carried figures (cold start, until its next run) has neither a
  // chart nor figures; once it has figures, its chart must be the one its table makes.
  it.each(charts)(
    'the $section chart is the one its table makes, bar for bar',
    ({ section, column, chart }) => {
      const text = sectionOf(section);
      if (readFigures(text).length === 0) {
        expect(barChartsIn(text)).toEqual([]);
        return;
      }
      const table = tableWithColumn(text, column);
      expect(text).toContain(chart(table));
      const [read] = barChartsIn(chart(table));
      expect(read?.values).toEqual(columnNumbers(table, column));
      expect(read?.values.length).toBeGreaterThan(0);
    },
  );

  it('the summary is the one its sections’ figures make', () => {
    expect(summaryOf(doc)).toBe(benchmarksSummary(readFigures(doc)));
    expect(doc.indexOf('<!-- bench:summary:start -->')).toBeLessThan(doc.indexOf('## How to reproduce'));
  });

  it('the cost figures the summary quotes are the cost table’s rows', () => {
    const table = tableWithColumn(sectionOf('auth'), '$ per million');
    expect(figuresOf('auth').costs).toEqual(
      columnCells(table, 'request').map((kind, at) => ({
        kind,
        callsPerRequest: columnNumbers(table, 'calls/request')[at],
        dollarsPerMillion: columnNumbers(table, '$ per million')[at],
      })),
    );
  });

  it('the cold-start figures are the targets table’s fastest and slowest function', () => {
    if (readFigures(sectionOf('cold-start')).length === 0) return;
    const table = tableWithColumn(sectionOf('cold-start'), 'init ratio');
    const ids = columnCells(table, 'function').slice(1);
    const ratios = columnNumbers(table, 'init ratio').slice(1);
    const figures = figuresOf('cold-start');
    expect(figures.functions).toBe(ids.length);
    expect(figures.fastest.initRatio).toBe(Math.min(...ratios));
    expect(figures.slowest.initRatio).toBe(Math.max(...ratios));
    expect(ratios[ids.indexOf(figures.fastest.id)]).toBe(figures.fastest.initRatio);
    expect(figures.meetingTargets).toBe(
      columnCells(table, 'verdict').filter((cell) => cell.startsWith('meets')).length,
    );
  });

  it('the limiter figures quote the target line’s Bulwark average', () => {
    const average = /Bulwark averaged ([\d.]+) calls\/decision/.exec(sectionOf('limiter'))?.[1];
    expect(figuresOf('limiter').bulwarkCallsPerDecision.toFixed(3)).toBe(average);
  });
});
