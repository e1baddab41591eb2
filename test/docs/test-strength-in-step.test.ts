/**
 * docs/test-strength.md and the mutation setup stay in step: the page shows the committed baseline, the
 * baseline meets the bar, and the lists in test/mutation name real files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BASELINE_PATH,
  classify,
  policyFailures,
  readRecordedMutants,
  readReport,
  readSecurityCore,
  renderScoresSection,
  scoreFiles,
} from '../../scripts/mutation/score-mutants.js';
import { markedSection } from '../../scripts/mutation/write-marked-section.js';

const core = readSecurityCore();
const recorded = readRecordedMutants();
const judged = () => {
  const classification = classify(readReport(BASELINE_PATH), recorded);
  return { classification, scores: scoreFiles(classification.mutants, core.files) };
};

describe('mutation testing stays in step', () => {
  it('the baseline is committed (npm run test:mutation writes it; CI re-runs only what changed since)', () => {
    expect(existsSync(BASELINE_PATH)).toBe(true);
  });

  it('docs/test-strength.md shows the scores of the committed baseline (npm run test:mutation rewrites both)', () => {
    const { classification, scores } = judged();
    const page = readFileSync('docs/test-strength.md', 'utf8');
    expect(markedSection(page, 'scores')).toBe(renderScoresSection(scores, classification, core).trim());
  });

  it('the committed baseline meets the bar: 90 % per file, no live mutant in a decision file, no stale record', () => {
    const { classification, scores } = judged();
    expect(policyFailures(scores, classification, core)).toEqual([]);
  });

  it('the security core names existing files, each once, and its decision files are among them', () => {
    for (const file of core.files) expect(existsSync(file), file).toBe(true);
    expect(new Set(core.files).size).toBe(core.files.length);
    for (const file of core.zeroSurvivors) expect(core.files).toContain(file);
  });

  it('every recorded mutant names a file of the core, its kind and a reason; integration ones name an existing test', () => {
    for (const entry of recorded) {
      expect(core.files, entry.file).toContain(entry.file);
      expect(['equivalent', 'integration']).toContain(entry.kind);
      expect(entry.reason.length, `${entry.file}: ${entry.line}`).toBeGreaterThan(20);
      if (entry.kind === 'integration') expect(existsSync(entry.coveredBy ?? ''), entry.coveredBy).toBe(true);
    }
  });
});
