/**
 * After a StrykerJS run: applies the recorded mutants, prints the score per file and exits 1 when the
 * policy breaks (a file under the threshold, a live mutant in a security decision file, a stale entry in
 * test/mutation/equivalent-mutants.json). With --write-docs it also rewrites the generated section of
 * docs/test-strength.md from the baseline.
 *
 *   tsx scripts/mutation-report.ts [--report <json>] [--write-docs]
 *
 * A file Stryker found nothing to mutate in is not in the report and scores 100 %. A report from
 * `npx stryker run --mutate <file>` therefore judges that file alone (without --write-docs).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BASELINE_PATH,
  classify,
  formatPercent,
  policyFailures,
  readRecordedMutants,
  readReport,
  readSecurityCore,
  renderScoresSection,
  scoreFiles,
} from './mutation/score-mutants.js';
import { writeMarkedSection } from './mutation/write-marked-section.js';

const { values } = parseArgs({
  options: {
    report: { type: 'string', default: 'reports/mutation/mutation.json' },
    'write-docs': { type: 'boolean', default: false },
  },
});

const core = readSecurityCore();
const missing = core.files.filter((file) => !existsSync(file));
if (missing.length > 0) {
  console.error(`test/mutation/security-core.json names files that do not exist: ${missing.join(', ')}`);
  process.exit(1);
}

const report = readReport(values.report);
const classification = classify(report, readRecordedMutants());
const scores = scoreFiles(classification.mutants, core.files);
const shown = scores.filter((score) => report.files[score.file] !== undefined);

const width = Math.max(...shown.map((score) => score.file.length));
console.log(`\n${'file'.padEnd(width)}  score    detected  live  equivalent  integration  ignored`);
for (const score of shown) {
  console.log(
    `${score.file.padEnd(width)}  ${formatPercent(score.scorePercent).padStart(7)}  ${String(score.detected).padStart(8)}  ${String(score.live).padStart(4)}  ${String(score.equivalent).padStart(10)}  ${String(score.integration).padStart(11)}  ${String(score.ignored).padStart(7)}`,
  );
}

const live = classification.mutants.filter((mutant) => mutant.verdict === 'live');
if (live.length > 0) {
  console.log(`\n${live.length} live mutant(s):`);
  for (const mutant of live) {
    console.log(
      `  ${mutant.file}:${mutant.line}:${mutant.column} ${mutant.status} ${mutant.mutator} → ${mutant.replacement}`,
    );
  }
}

if (values['write-docs']) {
  // The docs show the committed baseline, which a full run has just rewritten; the docs test checks it.
  const baseline = readReport(BASELINE_PATH);
  const baselineClassification = classify(baseline, readRecordedMutants());
  await writeMarkedSection(
    'docs/test-strength.md',
    'scores',
    renderScoresSection(scoreFiles(baselineClassification.mutants, core.files), baselineClassification, core),
  );
  console.log('\ndocs/test-strength.md rewritten from the baseline.');
}

// Stale entries are judged only for files in the report (see classify).
const failures = policyFailures(scores, classification, core);
if (failures.length > 0) {
  console.error(`\nMutation policy broken (${failures.length}):`);
  for (const failure of failures) console.error(`  ${failure.file}: ${failure.message}`);
  process.exit(1);
}
console.log(
  `\nEvery judged file scores at least ${core.thresholdPercent} %; no live mutant in a decision file.`,
);
