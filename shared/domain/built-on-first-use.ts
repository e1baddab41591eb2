/**
 * `build`, run on the first call and kept: for what a module would otherwise make when it loads (a zod
 * schema) though most functions that load it never use it, so their cold starts do not pay for it.
 */
export const builtOnFirstUse = <T>(build: () => T): (() => T) => {
  let built: { readonly value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
};
