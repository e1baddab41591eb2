/** The parts of a generated Mermaid bar chart (bench/charts/bar-chart.ts), read back for tests. */
export interface ReadBarChart {
  readonly title: string;
  readonly categories: string[];
  readonly values: number[];
}

const quotedList = (text: string): string[] =>
  [...text.matchAll(/"([^"]*)"/g)].map((match) => match[1] ?? '');

/** Every `xychart-beta` block of a markdown text, in order. */
export const barChartsIn = (markdown: string): ReadBarChart[] =>
  [...markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)]
    .map((block) => block[1] ?? '')
    .filter((chart) => /^xychart-beta/m.test(chart))
    .map((chart) => ({
      title: /^\s*title "([^"]*)"$/m.exec(chart)?.[1] ?? '',
      categories: quotedList(/^\s*x-axis \[(.*)\]$/m.exec(chart)?.[1] ?? ''),
      values: (/^\s*bar \[(.*)\]$/m.exec(chart)?.[1] ?? '').split(',').map((value) => Number(value.trim())),
    }));
