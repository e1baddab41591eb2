let loads = 0;

/**
 * Loads a module again, as a new instance, inside the calling test. A module's constants (patterns,
 * schemas, lists of names, the functions it exports) are evaluated once, when it is first imported, so
 * Stryker could activate their mutants only by reloading every related test file ("static mutants",
 * which the mutation run ignores). A test that loads the module afresh evaluates them again while the
 * mutant is active, so that test can detect it (docs/test-strength.md, "Static mutants").
 *
 * Load it in `beforeEach` and use only the fresh instance in the file's tests: once a module is loaded
 * afresh, the mutants of its exported functions are tested too, and only the fresh instance carries
 * them. The module's own imports stay shared, so its error classes are the ones the test imports.
 *
 * `module` is a URL, usually `new URL('../../../shared/x.js', import.meta.url)`.
 */
export const importFresh = async <T>(module: URL): Promise<T> => {
  loads += 1;
  return (await import(/* @vite-ignore */ `${module.href}?fresh=${loads}`)) as T;
};
