/**
 * `npm run release -- <version>`: cuts a release (docs/releasing.md). On a clean tree it sets the version
 * in package.json and its lock, moves the CHANGELOG's Unreleased notes under the version, points the
 * README's install recipe at the new tag, regenerates the OpenAPI documents (their info.version), then
 * commits "Release v<version>" and makes the annotated tag v<version>. It pushes nothing: the printed
 * command does, after CI has passed on the release commit.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { releaseChangelog } from './release/release-changelog.js';
import { nextReleaseVersion, recipeAtVersion } from './release/release-version.js';

const root = join(import.meta.dirname, '..');
const run = (command: string, args: readonly string[]): string =>
  execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const rewrite = (file: string, change: (text: string) => string): void =>
  writeFileSync(join(root, file), change(readFileSync(join(root, file), 'utf8')));

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { date: { type: 'string', default: new Date().toISOString().slice(0, 10) } },
});
const [requested] = positionals;
if (requested === undefined || positionals.length !== 1) {
  console.error('usage: npm run release -- <MAJOR.MINOR.PATCH> [--date YYYY-MM-DD]');
  process.exit(2);
}
if (run('git', ['status', '--porcelain', '--untracked-files=no']).trim() !== '') {
  console.error('release: commit or stash your changes first; a release commit holds only the release');
  process.exit(1);
}
const current = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const version = nextReleaseVersion(current, requested);
const changelog = releaseChangelog(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version, values.date);

run('npm', ['version', version, '--no-git-tag-version', '--ignore-scripts']);
writeFileSync(join(root, 'CHANGELOG.md'), changelog);
rewrite('README.md', (readme) => recipeAtVersion(readme, version));
run('npm', ['run', '--silent', 'docs:fix']);
run('git', ['commit', '--quiet', '--all', '--message', `Release v${version}`]);
run('git', ['tag', '--annotate', `v${version}`, '--message', `Bulwark ${version}`]);
console.log(`Released v${version} (${current} before). After CI passes on this commit:`);
console.log(`  git push origin HEAD v${version}`);
