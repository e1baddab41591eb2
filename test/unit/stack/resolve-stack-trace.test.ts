/**
 * Stack traces of the deployed (minified, no --enable-source-maps) bundles turned back into source
 * positions with the map esbuild writes beside the bundle, as the CDK bundles every function.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { resolveStackTrace } from '../../../scripts/stack/resolve-stack-trace.js';

const bundleThatThrows = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-stack-'));
  writeFileSync(
    join(dir, 'handler.ts'),
    [
      'export const handler = (): never => {',
      "  const reason = 'boom';",
      '  throw new Error(reason);',
      '};',
      '',
    ].join('\n'),
  );
  buildSync({
    entryPoints: [join(dir, 'handler.ts')],
    bundle: true,
    format: 'esm',
    minify: true,
    sourcemap: true,
    outfile: join(dir, 'index.mjs'),
    logLevel: 'silent',
  });
  // What the function logs: the stack of an error thrown in the bundle, run without source maps.
  const stack = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `try { (await import('${join(dir, 'index.mjs')}')).handler() } catch (e) { console.log(e.stack) }`,
    ],
    { encoding: 'utf8' },
  );
  return { stack, map: JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) };
};

describe('resolveStackTrace', () => {
  it('rewrites the frames in index.mjs to the source file, line and column', () => {
    const { stack, map } = bundleThatThrows();
    expect(stack).toMatch(/index\.mjs:1:\d+/);
    const resolved = resolveStackTrace(stack, map);
    expect(resolved).toMatch(/handler\.ts:3:9/);
    expect(resolved).not.toMatch(/index\.mjs:\d+:\d+/);
    expect(resolved.split('\n')[0]).toBe('Error: boom');
  });

  it('leaves frames of other files, and positions the map does not cover, as they were', () => {
    const { map } = bundleThatThrows();
    const stack =
      'Error: x\n    at run (node:internal/modules/esm/module_job:343:25)\n    at f (/var/task/index.mjs:999:1)';
    expect(resolveStackTrace(stack, map)).toBe(stack);
  });
});
