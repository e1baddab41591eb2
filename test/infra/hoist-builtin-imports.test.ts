/**
 * The bundling hook every Bulwark function goes through (esm-bundling.ts): static imports of Node built-ins
 * become `process.getBuiltinModule` declarations, everything else keeps its place, the bundle still runs
 * and its source map still resolves stack traces. Cold-start figures live in docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import { bundleFileName, esmBundling, hoistBuiltinImportsHook } from '../../infra/constructs/esm-bundling.js';
import { hoistBuiltinImports } from '../../infra/constructs/hoist-builtin-imports.js';
import { resolveStackTrace } from '../../scripts/stack/resolve-stack-trace.js';
import { bundleThatThrows, stackThrownBy } from '../support/bundle-that-throws.js';

const source = [
  'import{createHash as h,randomUUID}from"node:crypto";import p from"node:path";',
  'import e,{join as j}from"node:path";import"node:os";import*as z from"node:zlib";',
  'const text=\'import{x}from"node:fs"\';',
  'export const names=[typeof h,typeof randomUUID,p.sep,e===p,typeof j,typeof z.gzipSync,text];',
  'export const loaded=()=>import("node:util").then((u)=>typeof u.inspect);',
].join('\n');

const moduleFile = (code: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'bulwark-hoist-')), 'index.mjs');
  writeFileSync(file, code);
  return file;
};

describe('hoistBuiltinImports', () => {
  it('declares default, named, renamed and bare imports of built-ins on a new first line', () => {
    const { code, hoisted } = hoistBuiltinImports(source);
    expect(hoisted).toEqual(['node:crypto', 'node:path', 'node:path', 'node:os']);
    expect(code.split('\n')[0]).toBe(
      'const{createHash:h,randomUUID}=process.getBuiltinModule("node:crypto");' +
        'const p=process.getBuiltinModule("node:path");' +
        'const e=process.getBuiltinModule("node:path");const{join:j}=process.getBuiltinModule("node:path");' +
        'process.getBuiltinModule("node:os");',
    );
  });

  it('leaves namespace imports, dynamic imports and import text inside strings as they were', () => {
    const { code } = hoistBuiltinImports(source);
    expect(code).toContain('import*as z from"node:zlib";');
    expect(code).toContain('import("node:util")');
    expect(code).toContain('const text=\'import{x}from"node:fs"\';');
    // The namespace import and the string: nothing else imports from a built-in any more.
    expect(code.match(/from"node:/g)).toHaveLength(2);
  });

  it('keeps every other character on its line and column, blanking each rewritten statement', () => {
    const { code } = hoistBuiltinImports(source);
    const body = code.slice(code.indexOf('\n') + 1);
    expect(body).toHaveLength(source.length);
    for (let at = 0; at < source.length; at += 1) {
      if (body[at] !== ' ') expect(body[at]).toBe(source[at]);
    }
    expect(body.split('\n')[0]).toMatch(/^ +; +;$/);
  });

  it('answers as the bundle did: the same bindings, the same module objects', async () => {
    const before = (await import(pathToFileURL(moduleFile(source)).href)) as { names: unknown[] };
    const after = (await import(pathToFileURL(moduleFile(hoistBuiltinImports(source).code)).href)) as {
      names: unknown[];
      loaded: () => Promise<string>;
    };
    expect(after.names).toEqual(before.names);
    expect(after.names).toEqual([
      'function',
      'function',
      '/',
      true,
      'function',
      'function',
      expect.any(String),
    ]);
    await expect(after.loaded()).resolves.toBe('function');
  });

  it('moves the source map down by the new line, and leaves a bundle with nothing to hoist unchanged', () => {
    const map = JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA;AACA' });
    const first = hoistBuiltinImports(source, map);
    expect(JSON.parse(first.sourceMap ?? '{}')).toMatchObject({ sources: ['a.ts'], mappings: ';AAAA;AACA' });
    const second = hoistBuiltinImports(first.code, first.sourceMap);
    expect(second).toEqual({ code: first.code, sourceMap: first.sourceMap, hoisted: [] });
    expect(hoistBuiltinImports('export const x = 1;')).toEqual({ code: 'export const x = 1;', hoisted: [] });
  });
});

describe('the bundling hook', () => {
  it('rewrites a real esbuild bundle and its map in place; stack traces still resolve to the source line', () => {
    const { dir, file } = bundleThatThrows([
      "import { createHash } from 'node:crypto';",
      "import { sep } from 'node:path';",
      'export const handler = (): never => {',
      "  const reason = createHash('sha256').update(sep).digest('hex');",
      '  throw new Error(reason);',
      '};',
    ]);
    const [command] = hoistBuiltinImportsHook.afterBundling(dir, dir);
    execFileSync('/bin/sh', ['-c', command ?? 'false']);

    const bundle = readFileSync(file, 'utf8');
    expect(bundle.split('\n')[0]).toContain('process.getBuiltinModule("node:crypto")');
    expect(bundle).not.toMatch(/from\s*"node:/);
    const stack = stackThrownBy(file);
    expect(stack.split('\n')[0]).toBe(`Error: ${createHash('sha256').update('/').digest('hex')}`);
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
    expect(resolveStackTrace(stack, map)).toMatch(/handler\.ts:5:9/);
  });
});

describe('a function bundled by the CDK with Bulwark’s options', () => {
  it('is rewritten by the hook before it becomes the asset, its map moved down with it', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'bulwark-hoist-synth-'));
    const app = new App({ outdir, context: { 'cli-telemetry': false } });
    const stack = new Stack(app, 'HoistTest');
    new NodejsFunction(stack, 'Health', {
      entry: join(process.cwd(), 'functions/health/handler.ts'),
      projectRoot: process.cwd(),
      depsLockFilePath: join(process.cwd(), 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      bundling: esmBundling,
    });
    const assembly = app.synth();
    const assetDirs = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assetDirs).toHaveLength(1);
    const assetDir = join(assembly.directory, assetDirs[0] ?? '');
    const bundle = readFileSync(join(assetDir, bundleFileName), 'utf8');
    expect(bundle.split('\n')[0]).toContain('const{createRequire}=process.getBuiltinModule("node:module");');
    expect(bundle).not.toMatch(/import\s*\{[^}]*\}\s*from\s*"node:/);
    const map = JSON.parse(readFileSync(join(assetDir, `${bundleFileName}.map`), 'utf8')) as {
      mappings: string;
    };
    expect(map.mappings.startsWith(';;')).toBe(true);
  }, 120_000);
});
