import type { AuthFigures, ColdStartFigures, LimiterFigures, SectionFigures } from './section-figures.js';
import { readFigures } from './section-figures.js';

const day = (run: string) => run.slice(0, 10);
/** A section written before sections carried figures: its next run adds them. */
const notYet = (part: string, label: string): string =>
  `${label} section predates generated figures; \`npm run bench -- --only ${part}\` adds them here.`;

/** JSON keeps no NaN: a figure a run could not measure arrives as null. */
const calls = (value: number | null) => (value !== null && Number.isFinite(value) ? value.toFixed(2) : '?');

const limiterSentence = (figures: LimiterFigures | undefined): string =>
  figures === undefined
    ? notYet('limiter', 'The rate-limiter')
    : `Under overload Bulwark's rate limiter made **${calls(figures.bulwarkCallsPerDecision)} DynamoDB calls ` +
      `per decision** against ${calls(figures.flexibleCallsPerDecision)} for rate-limiter-flexible ` +
      `(${calls(figures.flexibleInMemoryCallsPerDecision)} with its in-memory block), ` +
      `${figures.exact ? 'admitting exactly what the limit allows' : '**but admitted more than the limit allows in a run**'} ` +
      `(run of ${day(figures.run)}).`;

const coldStartSentence = (figures: ColdStartFigures | undefined): string =>
  figures === undefined
    ? notYet('cold-start', 'The cold-start')
    : `**${figures.meetingTargets} of ${figures.functions} functions** meet their cold-start targets; module ` +
      `init p50 ranges from ${calls(figures.fastest.initRatio)}x (${figures.fastest.id}) to ` +
      `${calls(figures.slowest.initRatio)}x (${figures.slowest.id}) the hand-written handler's ` +
      `(run of ${day(figures.run)}).`;

/** The cost rows the summary quotes, by the cost table's request kinds; the first is in bold. */
const quotedCosts = [
  ['access token', 'with an access token'],
  ['API key', 'with an API key'],
  ['login: success', 'for successful logins'],
] as const;

const authSentence = (figures: AuthFigures | undefined): string => {
  if (figures === undefined) return notYet('auth', 'The authentication');
  const parts = quotedCosts.flatMap(([kind, words]) => {
    const row = figures.costs.find((entry) => entry.kind === kind);
    return row === undefined
      ? []
      : [`$${calls(row.dollarsPerMillion)} ${words} (${calls(row.callsPerRequest)} calls each)`];
  });
  const [first, ...rest] = parts;
  if (first === undefined) return 'The cost table has none of the usual request kinds.';
  const listed = [`**${first.replace(/ \(/, '** (')}`, ...rest];
  const joined = listed.length > 1 ? `${listed.slice(0, -1).join(', ')} and ${listed.at(-1)}` : listed[0];
  return `In DynamoDB on-demand, a million requests cost ${joined} (run of ${day(figures.run)}).`;
};

/** The paragraph at the top of docs/benchmarks.md: figures from the sections' own, never typed by hand. */
export const benchmarksSummary = (figures: readonly SectionFigures[]): string => {
  const find = <Name extends SectionFigures['section']>(name: Name) =>
    figures.find((entry): entry is Extract<SectionFigures, { section: Name }> => entry.section === name);
  return [
    '**In short**, from the figures of the sections below (generated: each part of `npm run bench` rewrites',
    'this paragraph from what the file holds).',
    limiterSentence(find('limiter')),
    coldStartSentence(find('cold-start')),
    authSentence(find('auth')),
    'Each section says on what machine and under what load it ran; compare figures within a run.',
  ].join(' ');
};

const start = '<!-- bench:summary:start -->';
const end = '<!-- bench:summary:end -->';

/** The document with its summary rebuilt from its sections' figures, just under the title. */
export const withSummary = (markdown: string): string => {
  const section = `${start}\n${benchmarksSummary(readFigures(markdown))}\n${end}`;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from !== -1 && to > from)
    return `${markdown.slice(0, from)}${section}${markdown.slice(to + end.length)}`;
  if (from !== -1 || to !== -1) throw new Error('the summary markers are unbalanced; fix them by hand');
  const titleEnd = markdown.indexOf('\n');
  if (!markdown.startsWith('# ') || titleEnd === -1)
    throw new Error('the document does not start with a title');
  return `${markdown.slice(0, titleEnd + 1)}\n${section}\n${markdown.slice(titleEnd + 1)}`;
};

/** The summary paragraph as the document holds it (between its markers), or undefined. */
export const summaryOf = (markdown: string): string | undefined => {
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  return from === -1 || to < from ? undefined : markdown.slice(from + start.length, to).trim();
};
