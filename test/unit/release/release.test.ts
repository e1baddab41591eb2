/**
 * Releases (docs/releasing.md): the text changes `npm run release` makes, and the invariant every commit
 * holds between them: package.json's version is the CHANGELOG's newest release, the tag the README's
 * install recipe names, the OpenAPI documents' info.version and what `bulwark --version` prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../cli/program.js';
import { latestReleasedVersion, releaseChangelog } from '../../../scripts/release/release-changelog.js';
import { nextReleaseVersion, recipeAtVersion } from '../../../scripts/release/release-version.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const { version } = JSON.parse(read('package.json')) as { version: string };

const changelog = [
  '# Changelog',
  '',
  'Intro.',
  '',
  '## Unreleased',
  '',
  '### Added',
  '- a thing',
  '',
  '## 0.1.0',
  '',
  'The first wave.',
  '',
].join('\n');

describe('releaseChangelog', () => {
  it('moves the Unreleased notes under the version and its date, leaving an empty Unreleased on top', () => {
    const released = releaseChangelog(changelog, '0.2.0', '2026-12-02');
    expect(released).toBe(
      [
        '# Changelog',
        '',
        'Intro.',
        '',
        '## Unreleased',
        '',
        '## 0.2.0 (2026-12-02)',
        '',
        '### Added',
        '- a thing',
        '',
        '## 0.1.0',
        '',
        'The first wave.',
        '',
      ].join('\n'),
    );
    expect(latestReleasedVersion(released)).toBe('0.2.0');
  });

  it('releases notes that are the last section of the file', () => {
    const released = releaseChangelog('# Changelog\n\n## Unreleased\n- only change\n', '1.0.0', '2027-01-04');
    expect(released).toBe('# Changelog\n\n## Unreleased\n\n## 1.0.0 (2027-01-04)\n- only change\n\n');
  });

  it('refuses a release with nothing to release, a version cut before, or no Unreleased section', () => {
    const empty = changelog.replace('### Added\n- a thing\n', '');
    expect(() => releaseChangelog(empty, '0.2.0', '2026-12-02')).toThrow(/lists nothing to release/);
    expect(() => releaseChangelog(changelog, '0.1.0', '2026-12-02')).toThrow(
      /already has a section for 0.1.0/,
    );
    expect(() => releaseChangelog('# Changelog\n\n## 0.1.0\n', '0.2.0', '2026-12-02')).toThrow(
      /no "## Unreleased"/,
    );
  });

  it('tells 0.1.0 from 0.1.01 or 0.1.0x when refusing a version cut before', () => {
    expect(releaseChangelog(changelog.replace('## 0.1.0', '## 0.1.01'), '0.1.0', 'd')).toContain(
      '## 0.1.0 (d)',
    );
  });
});

describe('nextReleaseVersion', () => {
  it('accepts a plain version above the current one, comparing numbers rather than text', () => {
    expect(nextReleaseVersion('0.9.0', '0.10.0')).toBe('0.10.0');
    expect(nextReleaseVersion('0.1.0', '0.1.1')).toBe('0.1.1');
    expect(nextReleaseVersion('0.1.9', '1.0.0')).toBe('1.0.0');
  });

  it('refuses the same or a lower version, so tags only move forward', () => {
    expect(() => nextReleaseVersion('0.2.0', '0.2.0')).toThrow(/not above the current version 0.2.0/);
    expect(() => nextReleaseVersion('0.10.0', '0.9.9')).toThrow(/not above/);
    expect(() => nextReleaseVersion('1.0.0', '0.99.99')).toThrow(/not above/);
  });

  it('refuses pre-release and partial versions', () => {
    expect(() => nextReleaseVersion('0.1.0', '0.2.0-rc.1')).toThrow(/not a release version/);
    expect(() => nextReleaseVersion('0.1.0', 'v0.2.0')).toThrow(/not a release version/);
    expect(() => nextReleaseVersion('0.1.0', '0.2')).toThrow(/not a release version/);
  });
});

describe('recipeAtVersion', () => {
  const readme = [
    'Node 24, aws-cdk-lib@2.276.0 and bulwark-0.1.0.tgz outside the recipe stay.',
    '<!-- install-recipe:start -->',
    "npm install 'git+https://host/o/bulwark.git#v0.1.0'",
    'npm pack # bulwark-0.1.0.tgz',
    'npm install ./vendor/bulwark-0.1.0.tgz aws-cdk-lib@2.276.0',
    '<!-- install-recipe:end -->',
  ].join('\n');

  it("points the recipe's tag and tarball at the version, and nothing else", () => {
    expect(recipeAtVersion(readme, '0.2.0')).toBe(
      [
        'Node 24, aws-cdk-lib@2.276.0 and bulwark-0.1.0.tgz outside the recipe stay.',
        '<!-- install-recipe:start -->',
        "npm install 'git+https://host/o/bulwark.git#v0.2.0'",
        'npm pack # bulwark-0.2.0.tgz',
        'npm install ./vendor/bulwark-0.2.0.tgz aws-cdk-lib@2.276.0',
        '<!-- install-recipe:end -->',
      ].join('\n'),
    );
  });

  it('refuses a README without the recipe markers', () => {
    expect(() => recipeAtVersion('no recipe here', '0.2.0')).toThrow(/no install recipe/);
  });
});

describe(`this commit's version (${version})`, () => {
  it("is the CHANGELOG's newest release", () => {
    expect(latestReleasedVersion(read('CHANGELOG.md'))).toBe(version);
  });

  it("is the tag and the tarball of the README's install recipe", () => {
    expect(recipeAtVersion(read('README.md'), version)).toBe(read('README.md'));
    expect(read('README.md')).toContain(`bulwark.git#v${version}'`);
  });

  it("is the OpenAPI documents' info.version", () => {
    for (const file of ['docs/openapi.json', 'examples/orders-api/openapi.json']) {
      expect((JSON.parse(read(file)) as { info: { version: string } }).info.version, file).toBe(version);
    }
  });

  it('is what bulwark --version prints', () => {
    const printed: string[] = [];
    const program = buildProgram(
      { stdout: (text) => void printed.push(text), stderr: () => {}, stdinIsTerminal: false },
      {},
      root,
    );
    expect(() => program.parse(['--version'], { from: 'user' })).toThrow();
    expect(printed.join('').trim()).toBe(version);
  });
});
