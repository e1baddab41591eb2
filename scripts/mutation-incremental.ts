/**
 * The incremental mutation run CI makes (.ci/run), bounded in time: Stryker's incremental mode re-runs
 * only the mutants whose code or covering tests changed since the committed baseline
 * (test/mutation/stryker-incremental.json), then scripts/mutation-report.ts judges the result.
 *
 * A merge that changes core files or their unit tests leaves the baseline stale, and a stale baseline means
 * more mutants to re-run. Before starting Stryker this script says how stale the baseline is (core files
 * and test files whose source differs from it, and about how many mutants that puts back in play), and:
 * - when that estimate is over the budget, it fails at once and names the command that refreshes the
 *   baseline, instead of silently taking a long time;
 * - otherwise it runs Stryker and stops it, failing with the same advice, should it outlast the budget.
 *
 *   tsx scripts/mutation-incremental.ts [--budget-seconds <n>]   (default 240; 0 = no bound)
 *
 * `npm run test:mutation:refresh` is this script with no bound: it re-runs what changed and rewrites the
 * baseline and docs/test-strength.md, to be committed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type BaselineStaleness,
  baselineStaleness,
  type IncrementalBaseline,
} from './mutation/baseline-staleness.js';
import { BASELINE_PATH, readSecurityCore } from './mutation/score-mutants.js';

/**
 * Mutants run per second on the 2-core reference machine at concurrency 2 while other engineers' test runs
 * share it (load average about 20): 0.6 measured (docs/test-strength.md, Timing). Only the estimate uses it.
 */
const MUTANTS_PER_SECOND = 0.6;
/** Stryker's start and its dry run of every unit test, which every incremental run pays: 2 min 22 s measured. */
const FIXED_COST_SECONDS = 150;
const REFRESH = 'npm run test:mutation:refresh';

const { values } = parseArgs({ options: { 'budget-seconds': { type: 'string', default: '240' } } });
const budgetSeconds = Number(values['budget-seconds']);
if (!Number.isFinite(budgetSeconds) || budgetSeconds < 0) {
  console.error(
    `--budget-seconds must be a number of seconds (0 for no bound), not ${values['budget-seconds']}`,
  );
  process.exit(2);
}

const readIfExists = (path: string): string | undefined =>
  existsSync(path) ? readFileSync(path, 'utf8') : undefined;

/** What changed since the baseline, and about how many mutants Stryker will run again. */
const staleness = () => {
  if (!existsSync(BASELINE_PATH)) return undefined;
  const baseline = JSON.parse(readFileSync(BASELINE_PATH, 'utf8')) as IncrementalBaseline;
  return baselineStaleness(baseline, readSecurityCore().files, readIfExists);
};

/** Nothing for Stryker to run again: no changed core file or covering test, no core file it lacks. */
const isCurrent = (stale: BaselineStaleness): boolean =>
  stale.mutants === 0 && stale.unrecordedFiles.length === 0;

const stale = staleness();
if (stale === undefined) {
  console.error(
    `No baseline at ${BASELINE_PATH}: every mutant would run (over an hour). Write it with npm run test:mutation.`,
  );
  if (budgetSeconds > 0) process.exit(1);
} else {
  const estimateSeconds = Math.round(FIXED_COST_SECONDS + stale.mutants / MUTANTS_PER_SECOND);
  if (isCurrent(stale)) console.log('Mutation baseline: nothing changed since it was written.');
  else
    console.log(
      `Mutation baseline: ${stale.changedFiles.length} core file(s) changed, ${stale.unrecordedFiles.length} not held, and ${stale.changedTestFiles.length} unit test file(s) changed since it was written; about ${stale.mutants} mutant(s) to run again, about ${estimateSeconds} s.`,
    );
  for (const file of stale.changedFiles) console.log(`  changed core file: ${file}`);
  for (const file of stale.unrecordedFiles) {
    console.log(`  core file the baseline does not hold (new, or constants only): ${file}`);
  }
  if (budgetSeconds > 0 && estimateSeconds > budgetSeconds) {
    console.error(
      `\nThe committed mutation baseline is too stale for CI's ${budgetSeconds} s budget (estimate ${estimateSeconds} s).\n` +
        `Refresh it: ${REFRESH}  (re-runs what changed, no time bound), then commit\n` +
        `test/mutation/stryker-incremental.json and docs/test-strength.md.`,
    );
    process.exit(1);
  }
}

/** Runs a command in its own process group, so a timeout stops Stryker and every test runner it started. */
const run = (command: string, args: readonly string[], limitSeconds: number): Promise<number | 'timeout'> =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', detached: true });
    let timedOut = false;
    const timer =
      limitSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
          }, limitSeconds * 1000)
        : undefined;
    child.on('exit', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve(timedOut ? 'timeout' : (code ?? 1));
    });
  });

if (budgetSeconds > 0 && stale !== undefined && isCurrent(stale)) {
  // Nothing Stryker would run again: its result is the committed baseline's, which the report judges as is
  // (Stryker itself would spend its fixed start, about 2.5 minutes, to conclude the same).
  console.log('Nothing to run again: judging the committed baseline.');
  process.exit(await run('npx', ['tsx', 'scripts/mutation-report.ts', '--report', BASELINE_PATH], 0));
}

const started = Date.now();
const stryker = await run('npx', ['stryker', 'run', '--incremental'], budgetSeconds);
const seconds = Math.round((Date.now() - started) / 1000);
if (stryker === 'timeout') {
  console.error(
    `\nThe incremental mutation run was stopped after ${seconds} s (budget ${budgetSeconds} s): the committed baseline is stale.\n` +
      `Refresh it: ${REFRESH}, then commit test/mutation/stryker-incremental.json and docs/test-strength.md.`,
  );
  process.exit(1);
}
if (stryker !== 0) process.exit(stryker);
console.log(`\nIncremental mutation run: ${seconds} s.`);
process.exit(await run('npx', ['tsx', 'scripts/mutation-report.ts', '--write-docs'], 0));
