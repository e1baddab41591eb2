import type { Runtime } from './runtime.js';

/**
 * Memoises a capability per runtime: built on first use, then shared by every route of that process.
 * Keyed weakly, so a test's runtime and everything built from it can be collected.
 */
export const perRuntime = <T>(build: (runtime: Runtime) => T): ((runtime: Runtime) => T) => {
  const built = new WeakMap<Runtime, T>();
  return (runtime) => {
    if (built.has(runtime)) return built.get(runtime) as T;
    const value = build(runtime);
    built.set(runtime, value);
    return value;
  };
};
