/**
 * The CHANGELOG at a release: what `## Unreleased` lists moves under `## <version> (<date>)`, and an empty
 * `## Unreleased` stays on top for the next change. Refused when there is nothing to release or the version
 * is already there, so a release can never go out without its notes or be cut twice.
 */
export const releaseChangelog = (changelog: string, version: string, isoDate: string): string => {
  const unreleased = /^## Unreleased[ \t]*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(changelog);
  if (unreleased === null) throw new Error('CHANGELOG.md has no "## Unreleased" section');
  if ((unreleased[1] ?? '').trim() === '')
    throw new Error('CHANGELOG.md: "## Unreleased" lists nothing to release');
  if (new RegExp(`^## ${version.replaceAll('.', '\\.')}(?:\\s|$)`, 'm').test(changelog)) {
    throw new Error(`CHANGELOG.md already has a section for ${version}`);
  }
  const [heading] = unreleased;
  const notes = (unreleased[1] ?? '').replace(/\s+$/, '');
  return changelog.replace(heading, `## Unreleased\n\n## ${version} (${isoDate})\n${notes}\n\n`);
};

/** The version of the newest released section (`## 0.2.0 (…)`), or undefined before the first release. */
export const latestReleasedVersion = (changelog: string): string | undefined =>
  /^## (\d+\.\d+\.\d+)\b/m.exec(changelog)?.[1];
