/**
 * Stack traces of the deployed (minified, no --enable-source-maps) bundles turned back into source
 * positions with the map esbuild writes beside the bundle, as the CDK bundles every function.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveStackTrace } from '../../../scripts/stack/resolve-stack-trace.js';
import { bundleThatThrows as bundleOf, stackThrownBy } from '../../support/bundle-that-throws.js';

const bundleThatThrows = () => {
  const { file } = bundleOf([
    'export const handler = (): never => {',
    "  const reason = 'boom';",
    '  throw new Error(reason);',
    '};',
  ]);
  return { stack: stackThrownBy(file), map: JSON.parse(readFileSync(`${file}.map`, 'utf8')) };
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
