// `npm test`: lint and format check, typecheck, then every vitest suite (unit, integration on DynamoDB
// Local, infra synth, end to end on the local server, browser). Ends with `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const run = (label, command, args) => {
  console.log(`\n== ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status === 0;
};

const checks = [
  ['lint and format', 'biome', ['check', '.']],
  ['typecheck', 'tsc', ['--noEmit']],
];
const failedChecks = checks
  .filter(([label, command, args]) => !run(label, command, args))
  .map(([label]) => label);

mkdirSync('.test-results', { recursive: true });
const resultsFile = '.test-results/vitest.json';
const vitestOk = run('tests', 'vitest', [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${resultsFile}`,
  ...process.argv.slice(2),
]);

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + (results.numRuntimeErrorTests ?? 0);
  // A suite that fails to load, or whose hooks fail after its tests passed (the contract check of
  // test/support/contract-check.setup.ts), has no failed test to count; count it so it cannot pass silently.
  failed += results.testResults.filter(
    (suite) =>
      suite.status === 'failed' && suite.assertionResults.every((assertion) => assertion.status !== 'failed'),
  ).length;
} catch {
  failed += 1;
  console.error('Could not read the vitest results; counting the run as failed.');
}
failed += failedChecks.length;
if (failedChecks.length > 0) console.error(`Failed checks: ${failedChecks.join(', ')}`);
if (!vitestOk && failed === 0) failed = 1;

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
