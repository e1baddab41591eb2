/**
 * Scores a StrykerJS JSON report (mutation-testing-report-schema) the way Bulwark judges it: recorded
 * equivalent mutants and mutants only DynamoDB Local can kill (test/mutation/equivalent-mutants.json) are
 * taken out before the score is computed, and every file of the security core
 * (test/mutation/security-core.json) is held to the threshold. Pure functions; the CLI is
 * scripts/mutation-report.ts and test/docs/test-strength-in-step.test.ts checks the docs with them.
 */
import { readFileSync } from 'node:fs';

/** The parts of a report mutant this module reads. */
export interface ReportMutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly static?: boolean;
  /** 1-based lines and columns; `end` is exclusive. */
  readonly location: {
    readonly start: { readonly line: number; readonly column: number };
    readonly end: { readonly line: number; readonly column: number };
  };
}

export interface MutationReport {
  readonly files: Readonly<
    Record<string, { readonly source: string; readonly mutants: readonly ReportMutant[] }>
  >;
}

/**
 * One recorded mutant, matched by file, mutator, the source line it starts on, the code it replaces and
 * its replacement (all with whitespace collapsed), so it survives line shifts and reformatting, and a file
 * move is a search and replace.
 */
export interface RecordedMutant {
  readonly file: string;
  readonly mutator: string;
  readonly line: string;
  readonly original: string;
  readonly replacement: string;
  /** `equivalent`: no observable difference. `integration`: only DynamoDB Local can tell, in `coveredBy`. */
  readonly kind: 'equivalent' | 'integration';
  readonly reason: string;
  /** For `integration`: the test file that kills it. */
  readonly coveredBy?: string;
}

export interface SecurityCore {
  /** Every file Stryker mutates. */
  readonly files: readonly string[];
  /** Files whose every decision is a security check: no live mutant at all may remain in them. */
  readonly zeroSurvivors: readonly string[];
  /** Minimum score of every file, in percent. */
  readonly thresholdPercent: number;
}

export type Verdict = 'detected' | 'live' | 'equivalent' | 'integration' | 'ignored' | 'invalid';

export interface ClassifiedMutant {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
  readonly status: string;
  readonly verdict: Verdict;
  /** The recorded entry that took it out of the score, if any. */
  readonly recorded?: RecordedMutant;
}

export interface FileScore {
  readonly file: string;
  readonly detected: number;
  readonly live: number;
  readonly equivalent: number;
  readonly integration: number;
  readonly ignored: number;
  readonly invalid: number;
  /** detected / (detected + live), in percent; 100 for a file with nothing to score. */
  readonly scorePercent: number;
}

export const SECURITY_CORE_PATH = 'test/mutation/security-core.json';
export const RECORDED_MUTANTS_PATH = 'test/mutation/equivalent-mutants.json';
export const BASELINE_PATH = 'test/mutation/stryker-incremental.json';

export const readSecurityCore = (path = SECURITY_CORE_PATH): SecurityCore =>
  JSON.parse(readFileSync(path, 'utf8')) as SecurityCore;

export const readRecordedMutants = (path = RECORDED_MUTANTS_PATH): readonly RecordedMutant[] =>
  (JSON.parse(readFileSync(path, 'utf8')) as { readonly mutants: readonly RecordedMutant[] }).mutants;

export const readReport = (path: string): MutationReport =>
  JSON.parse(readFileSync(path, 'utf8')) as MutationReport;

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

const lineOf = (lines: readonly string[], line: number): string => collapse(lines[line - 1] ?? '');

/** The source text a mutant replaces. */
const originalOf = (lines: readonly string[], { start, end }: ReportMutant['location']): string => {
  if (start.line === end.line)
    return collapse((lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1));
  const first = (lines[start.line - 1] ?? '').slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = (lines[end.line - 1] ?? '').slice(0, end.column - 1);
  return collapse([first, ...middle, last].join(' '));
};

const statusVerdict = (status: string): Verdict => {
  switch (status) {
    case 'Killed':
    case 'Timeout':
      return 'detected';
    case 'Survived':
    case 'NoCoverage':
      return 'live';
    case 'Ignored':
      return 'ignored';
    default:
      // CompileError, RuntimeError: the mutant never ran as code; Stryker leaves them out of the score too.
      return 'invalid';
  }
};

export interface Classification {
  readonly mutants: readonly ClassifiedMutant[];
  /** Recorded entries that match no live mutant: the code moved on, or a test now kills it. */
  readonly stale: readonly { readonly entry: RecordedMutant; readonly why: string }[];
}

/** Applies the recorded mutants to a report. Only a live mutant can be recorded away. */
export const classify = (report: MutationReport, recorded: readonly RecordedMutant[]): Classification => {
  const used = new Set<RecordedMutant>();
  const stale: { entry: RecordedMutant; why: string }[] = [];
  const mutants: ClassifiedMutant[] = [];
  for (const [file, { source, mutants: fileMutants }] of Object.entries(report.files)) {
    const lines = source.split('\n');
    for (const mutant of fileMutants) {
      const line = lineOf(lines, mutant.location.start.line);
      const original = originalOf(lines, mutant.location);
      const replacement = collapse(mutant.replacement ?? '');
      const entry = recorded.find(
        (candidate) =>
          candidate.file === file &&
          candidate.mutator === mutant.mutatorName &&
          collapse(candidate.line) === line &&
          collapse(candidate.original) === original &&
          collapse(candidate.replacement) === replacement,
      );
      const verdict = statusVerdict(mutant.status);
      if (entry !== undefined) used.add(entry);
      // A timeout on a busy machine proves nothing about an equivalent mutant; only a failing test does.
      if (entry !== undefined && mutant.status === 'Killed') {
        stale.push({ entry, why: 'a test now detects it (Killed); remove the entry' });
      }
      mutants.push({
        file,
        line: mutant.location.start.line,
        column: mutant.location.start.column,
        mutator: mutant.mutatorName,
        original,
        replacement,
        status: mutant.status,
        verdict:
          entry !== undefined && mutant.status !== 'Killed' && verdict !== 'ignored' ? entry.kind : verdict,
        ...(entry === undefined ? {} : { recorded: entry }),
      });
    }
  }
  for (const entry of recorded) {
    if (!used.has(entry) && report.files[entry.file] !== undefined) {
      stale.push({ entry, why: 'no mutant matches it any more; update or remove the entry' });
    }
  }
  return { mutants, stale };
};

export const scoreFiles = (mutants: readonly ClassifiedMutant[], files: readonly string[]): FileScore[] =>
  files.map((file) => {
    const own = mutants.filter((mutant) => mutant.file === file);
    const count = (verdict: Verdict) => own.filter((mutant) => mutant.verdict === verdict).length;
    const detected = count('detected');
    const live = count('live');
    return {
      file,
      detected,
      live,
      equivalent: count('equivalent'),
      integration: count('integration'),
      ignored: count('ignored'),
      invalid: count('invalid'),
      scorePercent: detected + live === 0 ? 100 : (100 * detected) / (detected + live),
    };
  });

export interface Failure {
  readonly file: string;
  readonly message: string;
}

/** What breaks the policy: a file under the threshold, a live mutant in a decision file, a stale entry. */
export const policyFailures = (
  scores: readonly FileScore[],
  classification: Classification,
  core: SecurityCore,
): Failure[] => {
  const failures: Failure[] = [];
  for (const score of scores) {
    if (score.scorePercent < core.thresholdPercent) {
      failures.push({
        file: score.file,
        message: `score ${formatPercent(score.scorePercent)} is under ${core.thresholdPercent} %`,
      });
    }
  }
  for (const mutant of classification.mutants) {
    if (mutant.verdict === 'live' && core.zeroSurvivors.includes(mutant.file)) {
      failures.push({
        file: mutant.file,
        message: `${mutant.status} ${mutant.mutator} at line ${mutant.line}:${mutant.column} (→ ${truncate(mutant.replacement)}) in a security decision file`,
      });
    }
  }
  for (const { entry, why } of classification.stale) {
    failures.push({
      file: entry.file,
      message: `recorded ${entry.kind} mutant ${entry.mutator} on "${truncate(entry.line)}": ${why}`,
    });
  }
  return failures;
};

export const formatPercent = (percent: number): string => `${(Math.floor(percent * 10) / 10).toFixed(1)} %`;

const truncate = (text: string, length = 80): string =>
  text.length <= length ? text : `${text.slice(0, length - 1)}…`;

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The generated part of docs/test-strength.md: the score table and the recorded mutants. */
export const renderScoresSection = (
  scores: readonly FileScore[],
  classification: Classification,
  core: SecurityCore,
): string => {
  const total = scores.reduce(
    (sum, score) => ({
      detected: sum.detected + score.detected,
      live: sum.live + score.live,
      equivalent: sum.equivalent + score.equivalent,
      integration: sum.integration + score.integration,
      ignored: sum.ignored + score.ignored,
    }),
    { detected: 0, live: 0, equivalent: 0, integration: 0, ignored: 0 },
  );
  const totalPercent =
    total.detected + total.live === 0 ? 100 : (100 * total.detected) / (total.detected + total.live);
  const rows = scores.map(
    (score) =>
      `| \`${score.file}\`${core.zeroSurvivors.includes(score.file) ? ' ★' : ''} | ${formatPercent(score.scorePercent)} | ${score.detected} | ${score.live} | ${score.equivalent} | ${score.integration} | ${score.ignored} |`,
  );
  const recorded = classification.mutants
    .filter((mutant) => mutant.recorded !== undefined && mutant.verdict !== 'detected')
    .map(
      (mutant) =>
        `| \`${mutant.file}\`:${mutant.line} | ${mutant.mutator} | \`${cell(truncate(mutant.replacement, 60))}\` | ${mutant.verdict}${mutant.recorded?.coveredBy === undefined ? '' : ` (\`${mutant.recorded.coveredBy}\`)`} | ${cell(mutant.recorded?.reason ?? '')} |`,
    );
  return [
    '## Scores per file',
    '',
    `Generated from \`${BASELINE_PATH}\` by \`npm run test:mutation\`; do not edit by hand. ★: a security decision file, where no mutant may survive. Score = detected / (detected + live), with recorded equivalent and integration-only mutants left out. Ignored: static mutants (see "Static mutants" above).`,
    '',
    '| File | Score | Detected | Live | Equivalent | Integration only | Ignored |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    `| **All ${scores.length} files** | **${formatPercent(totalPercent)}** | ${total.detected} | ${total.live} | ${total.equivalent} | ${total.integration} | ${total.ignored} |`,
    '',
    '## Recorded mutants',
    '',
    `From \`${RECORDED_MUTANTS_PATH}\`: mutants no unit test can detect, each with its reason, so nobody investigates them again.`,
    '',
    '| Where | Mutator | Replacement | Kind | Reason |',
    '| --- | --- | --- | --- | --- |',
    ...(recorded.length === 0 ? ['| (none) | | | | |'] : recorded),
  ].join('\n');
};
