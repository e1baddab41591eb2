let loads = 0;

/**
 * Loads a module again, as a new instance, inside the calling test. A module's constants (patterns,
 * schemas, lists of names) are evaluated once when it is first imported, so Stryker can activate their
 * mutants only by reloading every related test file ("static mutants", which the mutation run ignores).
 * A test that loads the module afresh evaluates those constants again while the mutant is active, so that
 * test can detect it (docs/test-strength.md, "Static mutants"). The module's own imports stay shared.
 *
 * `module` is a URL, usually `new URL('../../../shared/x.js', import.meta.url)`.
 */
export const importFresh = async <T>(module: URL): Promise<T> => {
  loads += 1;
  return (await import(/* @vite-ignore */ `${module.href}?fresh=${loads}`)) as T;
};
