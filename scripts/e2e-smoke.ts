/**
 * `npm run test:e2e:smoke`: the whole stack from nothing, briefly. Starts DynamoDB Local and the local
 * stack (what `npm start` runs) in a temporary folder, runs the API smoke suite and the CLI's
 * `bulwark health --full` and `npm run probe:health` against it, and stops everything, also on failure.
 */
import { spawnSync } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { startDynamoDbLocal } from '../shared/local/dynamodb-local.js';
import { spawnLocalStack } from '../test/support/spawn-local-stack.js';

const dynamoDb = await startDynamoDbLocal();
let failed = false;
try {
  const stack = await spawnLocalStack(dynamoDb.endpoint);
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
      BULWARK_LOCAL_DIR: stack.localDir,
    };
    delete env.BULWARK_URL;
    delete env.BULWARK_API_KEY;
    const steps: [string, string, string[]][] = [
      ['api smoke', join('node_modules', '.bin', 'tsx'), ['scripts/api-smoke.ts']],
      ['bulwark health --full', process.execPath, ['bin/bulwark.mjs', 'health', '--full']],
      ['probe:health', join('node_modules', '.bin', 'tsx'), ['scripts/health-probe.ts']],
    ];
    for (const [label, command, args] of steps) {
      console.log(`\n== ${label}`);
      const result = spawnSync(command, args, { stdio: 'inherit', env });
      if (result.status !== 0) {
        failed = true;
        console.error(`e2e smoke: ${label} failed (exit ${result.status})`);
      }
    }
  } finally {
    await stack.stop();
  }
} finally {
  await dynamoDb.stop();
}
console.log(failed ? 'e2e smoke: FAILED' : 'e2e smoke: passed');
process.exit(failed ? 1 : 0);
