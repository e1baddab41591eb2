import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

export interface ThrowingBundle {
  readonly dir: string;
  /** `index.mjs`, with `index.mjs.map` beside it, as the CDK leaves a function's bundle. */
  readonly file: string;
}

/**
 * `handler.ts` of these lines, bundled as a deployed function is (ESM for Node, minified, the source map
 * beside it), into a fresh folder. Its `handler` is expected to throw.
 */
export const bundleThatThrows = (handlerLines: readonly string[]): ThrowingBundle => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-stack-'));
  writeFileSync(join(dir, 'handler.ts'), [...handlerLines, ''].join('\n'));
  buildSync({
    entryPoints: [join(dir, 'handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    sourcemap: true,
    outfile: join(dir, 'index.mjs'),
    logLevel: 'silent',
  });
  return { dir, file: join(dir, 'index.mjs') };
};

/** What the function logs: the stack of the error its handler throws, run without source maps. */
export const stackThrownBy = (bundleFile: string): string =>
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `try { (await import('${bundleFile}')).handler() } catch (e) { console.log(e.stack) }`,
    ],
    { encoding: 'utf8' },
  );
