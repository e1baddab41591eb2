/**
 * How stale the committed mutation baseline is (scripts/mutation-incremental.ts decides from it whether CI's
 * bounded run can finish). A core file of constants has no mutant outside its static code, so Stryker never
 * writes it to the baseline: it must not count as a new file of average size.
 */
import { describe, expect, it } from 'vitest';
import { baselineStaleness, type IncrementalBaseline } from '../../../scripts/mutation/baseline-staleness.js';

const decide = 'export const decide = (a: number, b: number) => {\n  if (a > b) return a;\n  return b;\n};\n';
const constants = "/** Outcomes. */\nexport const outcomes = [\n  'allow',\n  'reject',\n] as const;\n";

const baseline: IncrementalBaseline = {
  files: {
    'core/decide.ts': {
      source: decide,
      mutants: [{ coveredBy: ['t1'] }, { coveredBy: ['t1', 't2'] }, { coveredBy: ['t2'] }, { coveredBy: [] }],
    },
  },
  testFiles: {
    'test/decide.test.ts': { source: 'old test', tests: [{ id: 't1' }] },
    'test/other.test.ts': { source: 'same', tests: [{ id: 't2' }] },
  },
};

const sources = (files: Record<string, string>) => (path: string) => files[path];

describe('baselineStaleness', () => {
  it('finds nothing to run again when nothing changed', () => {
    const staleness = baselineStaleness(
      baseline,
      ['core/decide.ts'],
      sources({ 'core/decide.ts': decide, 'test/decide.test.ts': 'old test', 'test/other.test.ts': 'same' }),
    );
    expect(staleness).toEqual({ changedFiles: [], unrecordedFiles: [], changedTestFiles: [], mutants: 0 });
  });

  it('runs again every mutant of a changed core file', () => {
    const staleness = baselineStaleness(
      baseline,
      ['core/decide.ts'],
      sources({
        'core/decide.ts': `${decide}// changed\n`,
        'test/decide.test.ts': 'old test',
        'test/other.test.ts': 'same',
      }),
    );
    expect(staleness).toMatchObject({ changedFiles: ['core/decide.ts'], mutants: 4 });
  });

  it('runs again the mutants a changed test file covers', () => {
    const staleness = baselineStaleness(
      baseline,
      ['core/decide.ts'],
      sources({ 'core/decide.ts': decide, 'test/decide.test.ts': 'new test', 'test/other.test.ts': 'same' }),
    );
    expect(staleness).toMatchObject({ changedTestFiles: ['test/decide.test.ts'], mutants: 2 });
  });

  it('estimates a core file the baseline does not hold by its code lines, not as an average file', () => {
    const staleness = baselineStaleness(
      baseline,
      ['core/decide.ts', 'core/outcomes.ts'],
      sources({
        'core/decide.ts': decide,
        'core/outcomes.ts': constants,
        'test/decide.test.ts': 'old test',
        'test/other.test.ts': 'same',
      }),
    );
    // decide.ts: 4 mutants over 4 code lines; outcomes.ts: 4 code lines (its doc comment not counted).
    expect(staleness).toEqual({
      changedFiles: [],
      unrecordedFiles: ['core/outcomes.ts'],
      changedTestFiles: [],
      mutants: 4,
    });
  });
});
