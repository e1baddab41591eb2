import { isAbsolute, join, relative } from 'node:path';
import { bulwarkPackageRoot } from '../repository-root.js';

/** Where NodejsFunction finds one of Bulwark's own handler modules, and the root it bundles it from. */
export interface BulwarkModule {
  readonly entry: string;
  readonly projectRoot: string;
  readonly depsLockFilePath: string;
}

/**
 * One of Bulwark's own handler modules (`functions/<id>/handler.ts`, relative to Bulwark's package), bundled
 * from the app's root when the module is inside it (Bulwark installed as node_modules/bulwark: the app's
 * lock file, which the package does not carry) and from Bulwark's root otherwise (this repository, or an
 * app that links Bulwark from elsewhere).
 */
export const bulwarkModule = (appRoot: string, modulePath: string): BulwarkModule => {
  const entry = join(bulwarkPackageRoot, modulePath);
  const fromApp = relative(appRoot, entry);
  const projectRoot = fromApp.startsWith('..') || isAbsolute(fromApp) ? bulwarkPackageRoot : appRoot;
  return { entry, projectRoot, depsLockFilePath: join(projectRoot, 'package-lock.json') };
};
