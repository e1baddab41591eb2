import { describe, expect, it } from 'vitest';
import { axisMax, barChart } from '../../../bench/charts/bar-chart.js';
import { columnCells, columnNumbers } from '../../../bench/charts/table-column.js';
import { barChartsIn } from '../../support/mermaid-bar-chart.js';

describe('a Mermaid bar chart from figures', () => {
  const chart = barChart({
    title: 'Calls "per" decision',
    categories: ['burst · Bulwark', 'burst · "flexible"'],
    valueAxis: { label: 'calls', min: 0, max: 2.5 },
    values: [0.34, 2],
  });

  it('is a horizontal xychart-beta block with one bar per category, in order', () => {
    expect(chart).toBe(
      [
        '```mermaid',
        '%%{init: {"xyChart": {"width": 900, "height": 300}}}%%',
        'xychart-beta horizontal',
        `  title "Calls 'per' decision"`,
        `  x-axis ["burst · Bulwark", "burst · 'flexible'"]`,
        '  y-axis "calls" 0 --> 2.5',
        '  bar [0.34, 2]',
        '```',
      ].join('\n'),
    );
    expect(barChartsIn(`text\n\n${chart}\n`)).toEqual([
      {
        title: "Calls 'per' decision",
        categories: ['burst · Bulwark', "burst · 'flexible'"],
        values: [0.34, 2],
      },
    ]);
  });

  it('grows with its bars so twenty stay legible', () => {
    const values = Array.from({ length: 20 }, (_, index) => index);
    const tall = barChart({
      title: 't',
      categories: values.map(String),
      valueAxis: { label: 'v', min: 0, max: 20 },
      values,
    });
    expect(tall).toContain('"height": 620');
  });

  it('refuses a value that is not a finite number, and categories and values that do not pair up', () => {
    const base = { title: 't', valueAxis: { label: 'v', min: 0, max: 1 } };
    expect(() => barChart({ ...base, categories: ['a'], values: [Number.NaN] })).toThrow(/finite/);
    expect(() => barChart({ ...base, categories: ['a', 'b'], values: [1] })).toThrow(/2 categories but 1/);
    expect(() => barChart({ ...base, categories: [], values: [] })).toThrow(/at least one bar/);
  });

  it('ends the value axis a little above the largest value, on its step', () => {
    expect(axisMax([2], 0.5)).toBe(2.5);
    expect(axisMax([1.02, 0.46], 0.25)).toBe(1.25);
    expect(axisMax([8.38], 1)).toBe(10);
    expect(axisMax([0], 1)).toBe(1);
  });
});

describe('a printed table column as numbers', () => {
  const table = {
    header: ['name', 'ratio', 'cost'],
    rows: [
      ['a', '0.46x', '$2.50'],
      ['b', '1.00x', '$0.63'],
    ],
  };

  it('reads the numbers as the table prints them, suffix and currency aside', () => {
    expect(columnNumbers(table, 'ratio')).toEqual([0.46, 1]);
    expect(columnNumbers(table, 'cost')).toEqual([2.5, 0.63]);
    expect(columnCells(table, 'name')).toEqual(['a', 'b']);
  });

  it('refuses a missing column and a cell that is not a number', () => {
    expect(() => columnNumbers(table, 'nope')).toThrow(/no column "nope"/);
    expect(() => columnNumbers({ header: ['x'], rows: [['-']] }, 'x')).toThrow(/"-" is not a number/);
  });
});
