/**
 * A Mermaid `xychart-beta` bar chart (GitHub renders Mermaid in markdown), as a fenced code block. Pure:
 * figures in, text out. Horizontal, so long category labels (a table's first column) stay readable.
 */
export interface BarChart {
  readonly title: string;
  /** One per bar, top to bottom. */
  readonly categories: readonly string[];
  readonly valueAxis: { readonly label: string; readonly min: number; readonly max: number };
  /** One per category, in the same order. */
  readonly values: readonly number[];
}

/** Mermaid strings are double-quoted with no escape: a double quote inside becomes a single one. */
const quoted = (text: string): string => `"${text.replaceAll('"', "'")}"`;

/** Numbers as Mermaid reads them: finite, no exponent, no trailing zeros. */
const number = (value: number): string => {
  if (!Number.isFinite(value)) throw new Error(`a chart value must be finite, got ${value}`);
  return String(Number(value.toFixed(6)));
};

/** Room per bar so 20 bars stay legible; Mermaid's default height is 500. */
const heightFor = (bars: number): number => Math.max(300, 60 + bars * 28);

export const barChart = (chart: BarChart): string => {
  if (chart.categories.length !== chart.values.length) {
    throw new Error(`${chart.categories.length} categories but ${chart.values.length} values`);
  }
  if (chart.categories.length === 0) throw new Error('a chart needs at least one bar');
  return [
    '```mermaid',
    `%%{init: {"xyChart": {"width": 900, "height": ${heightFor(chart.values.length)}}}}%%`,
    'xychart-beta horizontal',
    `  title ${quoted(chart.title)}`,
    `  x-axis [${chart.categories.map(quoted).join(', ')}]`,
    `  y-axis ${quoted(chart.valueAxis.label)} ${number(chart.valueAxis.min)} --> ${number(chart.valueAxis.max)}`,
    `  bar [${chart.values.map(number).join(', ')}]`,
    '```',
  ].join('\n');
};

/** The upper end of a value axis: a little above the largest value, on a round step. */
export const axisMax = (values: readonly number[], step: number): number => {
  const largest = Math.max(0, ...values.filter(Number.isFinite));
  return Math.max(step, Math.ceil((largest * 1.1) / step) * step);
};
