/**
 * The few figures of a section that the summary at the top of docs/benchmarks.md quotes. Each section
 * carries its own as a JSON comment (`<!-- bench:figures {...} -->`) inside its markers, so re-running one
 * part rewrites its figures and the summary is rebuilt from whatever the file holds.
 */
export type SectionFigures = LimiterFigures | ColdStartFigures | AuthFigures;

export interface LimiterFigures {
  readonly section: 'limiter';
  readonly run: string;
  /** Bulwark's calls per decision over every overload decision (the target line's average). */
  readonly bulwarkCallsPerDecision: number;
  /** rate-limiter-flexible's over the same overload workloads, plain and with its in-memory block. */
  readonly flexibleCallsPerDecision: number;
  readonly flexibleInMemoryCallsPerDecision: number;
  /** No Bulwark run admitted more than allowed. */
  readonly exact: boolean;
}

export interface ColdStartFigures {
  readonly section: 'cold-start';
  readonly run: string;
  readonly functions: number;
  readonly meetingTargets: number;
  /** Init ratios as the targets table prints them, the fastest and slowest function. */
  readonly fastest: { readonly id: string; readonly initRatio: number };
  readonly slowest: { readonly id: string; readonly initRatio: number };
}

export interface AuthFigures {
  readonly section: 'auth';
  readonly run: string;
  /** The cost table's rows as printed: request kind, calls per request, dollars per million. */
  readonly costs: readonly {
    readonly kind: string;
    readonly callsPerRequest: number;
    readonly dollarsPerMillion: number;
  }[];
}

const prefix = '<!-- bench:figures ';

/** The comment a section ends with. */
export const figuresComment = (figures: SectionFigures): string => {
  const json = JSON.stringify(figures);
  if (json.includes('--')) throw new Error(`figures must not contain "--": ${json}`);
  return `${prefix}${json} -->`;
};

/** Every section's figures found in a benchmarks document, in the order they appear. */
export const readFigures = (markdown: string): SectionFigures[] =>
  [...markdown.matchAll(/<!-- bench:figures (\{.*?\}) -->/g)].map(
    (match) => JSON.parse(match[1] ?? '{}') as SectionFigures,
  );
