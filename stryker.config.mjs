// StrykerJS over Bulwark's security core: docs/test-strength.md and ADR 0017 say what it runs, how it
// is scored and why. The files are listed in test/mutation/security-core.json; mutants no unit test can
// detect are recorded, with their reasons, in test/mutation/equivalent-mutants.json and applied by
// scripts/mutation-report.ts, which also enforces the thresholds.
import { readFileSync } from 'node:fs';

const core = JSON.parse(readFileSync(new URL('./test/mutation/security-core.json', import.meta.url), 'utf8'));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: core.files,
  testRunner: 'vitest',
  // related: false, because tests that load a module afresh import it dynamically, which vitest's
  // import graph does not see; per-test coverage still limits each mutant to the tests that reach it.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  // Mutants of code that runs only while a module loads would each need every related test file
  // reloaded: hours for the core. Decision constants are tested by loading their module afresh inside a
  // test instead (test/support/import-fresh.ts), which makes their mutants per-test again.
  ignoreStatic: true,
  // Two cores, shared with other engineers' runs.
  concurrency: 2,
  // The committed baseline: `--incremental` runs only mutants whose code or covering tests changed.
  incrementalFile: 'test/mutation/stryker-incremental.json',
  reporters: ['json', 'html', 'clear-text', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: false },
  // Scores per file, with the recorded mutants left out, are judged by scripts/mutation-report.ts.
  thresholds: { high: 90, low: 90, break: null },
  ignorePatterns: ['cdk.out', '.local', '.test-results', 'reports', 'coverage'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
