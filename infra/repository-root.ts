import { fileURLToPath } from 'node:url';

/**
 * The repository root (this file's folder's parent). It holds functions/<id>/handler.ts, whose paths the route
 * table gives relative to it (functionEntry()), and package-lock.json. Both stacks default `projectRoot` to
 * it; tests pass a stub tree instead.
 */
export const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * Where Bulwark's own function modules live, for an app that deploys them from its own project root:
 * `join(bulwarkPackageRoot, bulwarkFunctionEntry(id))` (inside node_modules/bulwark when installed).
 */
export const bulwarkPackageRoot: string = repositoryRoot;
