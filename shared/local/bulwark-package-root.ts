import { fileURLToPath } from 'node:url';

/**
 * The Bulwark package's root (this repository, or node_modules/bulwark once installed): Bulwark's own
 * function modules are `join(bulwarkPackageRoot, bulwarkFunctionEntry(id))`, for an app that serves or
 * deploys them next to its own.
 */
export const bulwarkPackageRoot: string = fileURLToPath(new URL('../../', import.meta.url));
