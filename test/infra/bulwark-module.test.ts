/**
 * Bulwark's own functions are bundled from the app's root when Bulwark is installed inside it
 * (node_modules/bulwark, which carries no lock file) and from Bulwark's root otherwise.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bulwarkModule } from '../../infra/constructs/bulwark-module.js';
import { bulwarkPackageRoot } from '../../infra/repository-root.js';

describe('bulwarkModule', () => {
  const modulePath = 'functions/health-probe/handler.ts';

  it('takes the module from Bulwark’s package and, inside the app, the app’s root and lock file', () => {
    const appRoot = join(bulwarkPackageRoot, '..');
    expect(bulwarkModule(appRoot, modulePath)).toEqual({
      entry: join(bulwarkPackageRoot, modulePath),
      projectRoot: appRoot,
      depsLockFilePath: join(appRoot, 'package-lock.json'),
    });
  });

  it('is Bulwark’s own root and lock file in this repository', () => {
    expect(bulwarkModule(bulwarkPackageRoot, modulePath)).toEqual({
      entry: join(bulwarkPackageRoot, modulePath),
      projectRoot: bulwarkPackageRoot,
      depsLockFilePath: join(bulwarkPackageRoot, 'package-lock.json'),
    });
  });

  it('falls back to Bulwark’s root when the app lies elsewhere (a linked checkout, a test’s stub tree)', () => {
    const elsewhere = join(bulwarkPackageRoot, '..', 'some-other-app');
    expect(bulwarkModule(elsewhere, modulePath).projectRoot).toBe(bulwarkPackageRoot);
  });
});
