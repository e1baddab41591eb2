/**
 * How the mutation report is judged (scripts/mutation/score-mutants.ts): recorded mutants leave the score,
 * a stale record fails, and the bar is 90 % per file with no live mutant in a decision file.
 */
import { describe, expect, it } from 'vitest';
import {
  classify,
  type MutationReport,
  policyFailures,
  type RecordedMutant,
  type ReportMutant,
  type SecurityCore,
  scoreFiles,
} from '../../../scripts/mutation/score-mutants.js';

const source = ['const a = b > c;', 'export const name = "x";', 'if (ready) go();'].join('\n');
let nextId = 0;
const mutant = (
  line: number,
  column: number,
  endColumn: number,
  status: string,
  mutatorName = 'EqualityOperator',
  replacement = 'b >= c',
): ReportMutant => {
  nextId += 1;
  return {
    id: String(nextId),
    mutatorName,
    replacement,
    status,
    location: { start: { line, column }, end: { line, column: endColumn } },
  };
};
const report = (...mutants: ReportMutant[]): MutationReport => ({
  files: { 'shared/a.ts': { source, mutants } },
});
const core: SecurityCore = { files: ['shared/a.ts', 'shared/b.ts'], zeroSurvivors: [], thresholdPercent: 90 };
const equivalent: RecordedMutant = {
  file: 'shared/a.ts',
  mutator: 'EqualityOperator',
  line: 'const a = b > c;',
  original: 'b > c',
  replacement: 'b >= c',
  kind: 'equivalent',
  reason: 'b never equals c',
};

describe('classify', () => {
  it('takes a recorded live mutant out of the score, matching file, mutator, line, code and replacement', () => {
    const { mutants, stale } = classify(report(mutant(1, 11, 16, 'Survived')), [equivalent]);
    expect(mutants.map((m) => [m.verdict, m.original])).toEqual([['equivalent', 'b > c']]);
    expect(stale).toEqual([]);
  });

  it('does not match a record to another mutant on the same line', () => {
    const { mutants, stale } = classify(report(mutant(1, 11, 16, 'Survived', 'EqualityOperator', 'b < c')), [
      equivalent,
    ]);
    expect(mutants[0]?.verdict).toBe('live');
    expect(stale.map((s) => s.why)).toEqual(['no mutant matches it any more; update or remove the entry']);
  });

  it('calls a record stale once a test kills its mutant, but not for a timeout', () => {
    expect(classify(report(mutant(1, 11, 16, 'Killed')), [equivalent]).stale.map((s) => s.why)).toEqual([
      'a test now detects it (Killed); remove the entry',
    ]);
    const timedOut = classify(report(mutant(1, 11, 16, 'Timeout')), [equivalent]);
    expect(timedOut.stale).toEqual([]);
    expect(timedOut.mutants[0]?.verdict).toBe('equivalent');
  });

  it('judges records only for files in the report', () => {
    expect(classify(report(), [{ ...equivalent, file: 'shared/b.ts' }]).stale).toEqual([]);
  });

  it('sorts statuses: killed and timed out are detected, survived and uncovered are live', () => {
    const verdicts = classify(
      report(
        mutant(2, 21, 24, 'Killed', 'StringLiteral', '""'),
        mutant(2, 21, 24, 'Timeout', 'StringLiteral', '"y"'),
        mutant(3, 5, 10, 'Survived', 'ConditionalExpression', 'true'),
        mutant(3, 5, 10, 'NoCoverage', 'ConditionalExpression', 'false'),
        mutant(3, 12, 16, 'Ignored', 'BlockStatement', '{}'),
        mutant(3, 12, 16, 'CompileError', 'BlockStatement', ';'),
      ),
      [],
    ).mutants.map((m) => m.verdict);
    expect(verdicts).toEqual(['detected', 'detected', 'live', 'live', 'ignored', 'invalid']);
  });
});

describe('scoreFiles and policyFailures', () => {
  it('scores detected over detected plus live, 100 % for a file with nothing to score', () => {
    const classification = classify(
      report(
        ...Array.from({ length: 9 }, () => mutant(2, 21, 24, 'Killed', 'StringLiteral', '""')),
        mutant(3, 5, 10, 'Survived', 'ConditionalExpression', 'true'),
      ),
      [],
    );
    const scores = scoreFiles(classification.mutants, core.files);
    expect(scores.map((s) => [s.file, s.scorePercent])).toEqual([
      ['shared/a.ts', 90],
      ['shared/b.ts', 100],
    ]);
    expect(policyFailures(scores, classification, core)).toEqual([]);
  });

  it('fails a file under the threshold', () => {
    const classification = classify(
      report(
        mutant(2, 21, 24, 'Killed', 'StringLiteral', '""'),
        mutant(3, 5, 10, 'Survived', 'ConditionalExpression', 'true'),
      ),
      [],
    );
    expect(policyFailures(scoreFiles(classification.mutants, core.files), classification, core)).toEqual([
      { file: 'shared/a.ts', message: 'score 50.0 % is under 90 %' },
    ]);
  });

  it('fails any live mutant in a decision file, whatever its score', () => {
    const classification = classify(
      report(
        ...Array.from({ length: 19 }, () => mutant(2, 21, 24, 'Killed', 'StringLiteral', '""')),
        mutant(3, 5, 10, 'NoCoverage', 'ConditionalExpression', 'true'),
      ),
      [],
    );
    const decisions = { ...core, zeroSurvivors: ['shared/a.ts'] };
    expect(policyFailures(scoreFiles(classification.mutants, core.files), classification, decisions)).toEqual(
      [
        {
          file: 'shared/a.ts',
          message: 'NoCoverage ConditionalExpression at line 3:5 (→ true) in a security decision file',
        },
      ],
    );
  });
});
