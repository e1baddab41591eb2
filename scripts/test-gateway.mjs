// `npm run test:gateway`: the realtime gateway's suites. The gateway is being built in parallel (its own
// issue); until its tests exist this says so and passes, and from then on it runs every test file under
// test/**/gateway/ or named *gateway*.test.ts, whatever it finds, with the same runner as everything else.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const found = [];
const walk = (directory, inGateway) => {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) walk(path, inGateway || entry.name === 'gateway' || entry.name === 'realtime');
    else if (entry.name.endsWith('.test.ts') && (inGateway || /gateway|realtime/.test(entry.name)))
      found.push(path);
  }
};
walk('test', false);

if (found.length === 0) {
  console.log(
    'test:gateway: no gateway tests exist yet (test/**/gateway/, *gateway*.test.ts): nothing to run.',
  );
  process.exit(0);
}
console.log(`test:gateway: ${found.length} file(s): ${found.join(', ')}`);
const result = spawnSync('vitest', ['run', ...found], { stdio: 'inherit' });
process.exit(result.status ?? 1);
