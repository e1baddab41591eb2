const semver = /^(\d+)\.(\d+)\.(\d+)$/;

const partsOf = (version: string): readonly [number, number, number] => {
  const match = semver.exec(version);
  if (match === null)
    throw new Error(`${JSON.stringify(version)} is not a release version (MAJOR.MINOR.PATCH)`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
};

/**
 * The version a release may take after `current`: a plain MAJOR.MINOR.PATCH (no pre-release: tags are what
 * teams install) strictly above it, so tags only move forward.
 */
export const nextReleaseVersion = (current: string, requested: string): string => {
  const [from, to] = [partsOf(current), partsOf(requested)];
  const order = to[0] - from[0] || to[1] - from[1] || to[2] - from[2];
  if (order <= 0) throw new Error(`${requested} is not above the current version ${current}`);
  return requested;
};

/**
 * The README's install recipe at `version`: the git dependency's tag and the tarball's file name. Only
 * between the recipe markers, so no other version in the README changes.
 */
export const recipeAtVersion = (readme: string, version: string): string => {
  const block = /(<!-- install-recipe:start -->)([\s\S]*?)(<!-- install-recipe:end -->)/.exec(readme);
  if (block === null) throw new Error('README.md has no install recipe (<!-- install-recipe:start -->)');
  const [whole, start, recipe = '', end] = block;
  const updated = recipe
    .replace(/(\.git#v)\d+\.\d+\.\d+/g, `$1${version}`)
    .replace(/(bulwark-)\d+\.\d+\.\d+(\.tgz)/g, `$1${version}$2`);
  return readme.replace(whole, `${start}${updated}${end}`);
};
