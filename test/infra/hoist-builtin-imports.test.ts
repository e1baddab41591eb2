/**
 * The bundling hook every Bulwark function goes through (esm-bundling.ts): static imports of Node built-ins
 * become `process.getBuiltinModule` declarations, everything else keeps its place, the bundle still runs
 * and its source map still resolves stack traces. Cold-start figures live in docs/benchmarks.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import {
  bundleFileName,
  esmBundling,
  hoistBuiltinImportsHook,
  shellWord,
} from '../../infra/constructs/esm-bundling.js';
import { hoistBuiltinImports } from '../../infra/constructs/hoist-builtin-imports.js';
import { resolveStackTrace } from '../../scripts/stack/resolve-stack-trace.js';
import { bundleThatThrows, stackThrownBy } from '../support/bundle-that-throws.js';

const source = [
  'import{createHash as h,randomUUID}from"node:crypto";import p from"node:path";',
  'import e,{join as j}from"node:path";import"node:os";import*as z from"node:zlib";',
  'import{default as d,sep}from"node:path";import{readFileSync}from"fs"',
  'const text=\'import{x}from"node:fs"\';',
  'export const bindings={h,randomUUID,p,e,j,z,d,sep,readFileSync,text};',
  'export const loaded=()=>import("node:util").then((u)=>u.inspect);',
].join('\n');

const moduleFile = (code: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'bulwark-hoist-')), 'index.mjs');
  writeFileSync(file, code);
  return file;
};

/**
 * Loads the module in a fresh Node (vitest's own loader would rewrite its imports) and prints `expression`
 * as JSON; `m` is the module, `builtin(specifier)` a built-in. Status and output, for failures too.
 */
const inNode = (code: string, expression: string, env: Readonly<Record<string, string>> = {}) => {
  const run = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(pathToFileURL(moduleFile(code)).href)});` +
        'const builtin = (specifier) => process.getBuiltinModule(specifier);' +
        `console.log(JSON.stringify(await (${expression})));`,
    ],
    { encoding: 'utf8', env: { ...process.env, ...env } },
  );
  return {
    status: run.status,
    // The first line: a failure's message, without the bundle's source Node prints above it.
    stderr: run.stderr.split('\n').find((line) => /Error/.test(line)) ?? run.stderr.slice(0, 500),
    // The last line: what the module itself logs at init comes before.
    value: run.status === 0 ? JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') : undefined,
  };
};

/** Each binding of `source` against what it must be, checked in the child. */
const bindingChecks = `({
  h: m.bindings.h === builtin('node:crypto').createHash,
  randomUUID: m.bindings.randomUUID === builtin('node:crypto').randomUUID,
  p: m.bindings.p === builtin('node:path'),
  e: m.bindings.e === builtin('node:path'),
  d: m.bindings.d === builtin('node:path'),
  j: m.bindings.j === builtin('node:path').join,
  sep: m.bindings.sep === builtin('node:path').sep,
  z: m.bindings.z.gzipSync === builtin('node:zlib').gzipSync,
  readFileSync: m.bindings.readFileSync === builtin('node:fs').readFileSync,
  text: m.bindings.text,
  loaded: (await m.loaded()) === builtin('node:util').inspect,
})`;

describe('hoistBuiltinImports', () => {
  it('declares default, named, renamed and bare imports of built-ins on a new first line', () => {
    const { code, hoisted } = hoistBuiltinImports(source);
    expect(hoisted).toEqual(['node:crypto', 'node:path', 'node:path', 'node:os', 'node:path', 'fs']);
    expect(code.split('\n')[0]).toBe(
      'const{createHash:h,randomUUID}=process.getBuiltinModule("node:crypto");' +
        'const p=process.getBuiltinModule("node:path");' +
        'const e=process.getBuiltinModule("node:path");const{join:j}=process.getBuiltinModule("node:path");' +
        'process.getBuiltinModule("node:os");' +
        'const d=process.getBuiltinModule("node:path");const{sep}=process.getBuiltinModule("node:path");' +
        'const{readFileSync}=process.getBuiltinModule("fs");',
    );
  });

  it('binds what the imports bound: the same functions and module objects, `{default as}` included', () => {
    const before = inNode(source, bindingChecks);
    const after = inNode(hoistBuiltinImports(source).code, bindingChecks);
    expect(after).toEqual(before);
    expect(after.value).toEqual({
      h: true,
      randomUUID: true,
      p: true,
      e: true,
      d: true,
      j: true,
      sep: true,
      z: true,
      readFileSync: true,
      text: 'import{x}from"node:fs"',
      loaded: true,
    });
  });

  it('leaves namespace imports, dynamic imports and import text inside strings as they were', () => {
    const { code } = hoistBuiltinImports(source);
    expect(code).toContain('import*as z from"node:zlib";');
    expect(code).toContain('import("node:util")');
    expect(code).toContain('const text=\'import{x}from"node:fs"\';');
    // The namespace import and the string: nothing else imports from a built-in any more.
    expect(code.match(/from"node:/g)).toHaveLength(2);
  });

  it('leaves to Node an import of a name the built-in does not export, and import attributes', () => {
    const missing = 'import{sep}from"node:path";import{noSuchExport}from"node:path";export const s=sep;';
    const { code, hoisted } = hoistBuiltinImports(missing);
    expect(hoisted).toEqual(['node:path']);
    expect(code).toContain('import{noSuchExport}from"node:path"');
    const loaded = inNode(code, 'm.s');
    expect(loaded.status).not.toBe(0);
    expect(loaded.stderr).toMatch(/does not provide an export named 'noSuchExport'/);
    const withAttributes = 'import{sep}from"node:path"with{type:"js"};';
    expect(hoistBuiltinImports(withAttributes).hoisted).toEqual([]);
  });

  it('keeps every other character on its line and column, each rewritten statement now `;` and spaces', () => {
    const { code } = hoistBuiltinImports(source);
    const body = code.slice(code.indexOf('\n') + 1);
    expect(body).toHaveLength(source.length);
    for (let at = 0; at < source.length; at += 1) {
      if (body[at] !== ' ' && body[at] !== ';') expect(body[at]).toBe(source[at]);
    }
    expect(body.split('\n')[0]).toMatch(/^; +;; +;$/);
  });

  it('never joins two lines where an import had no semicolon', () => {
    const unterminated = 'export let r=1;var g=()=>2,c=0\nimport"node:os"\n(c)';
    const { code } = hoistBuiltinImports(unterminated);
    expect(code.split('\n')[2]).toMatch(/^; +$/);
    expect(inNode(code, 'm.r')).toMatchObject({ status: 0, value: 1 });
  });

  it('keeps a hashbang first, the declarations and the map line after it', () => {
    const withHashbang = '#!/usr/bin/env node\nimport{sep}from"node:path";export const s=sep;';
    const map = JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: ';AAAA' });
    const { code, sourceMap } = hoistBuiltinImports(withHashbang, map);
    expect(code.split('\n').slice(0, 2)).toEqual([
      '#!/usr/bin/env node',
      'const{sep}=process.getBuiltinModule("node:path");',
    ]);
    expect(JSON.parse(sourceMap ?? '{}')).toMatchObject({ mappings: ';;AAAA' });
    expect(inNode(code, 'm.s')).toMatchObject({ status: 0, value: path.sep });
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

describe('shellWord', () => {
  it('quotes for a POSIX shell whatever the path holds, and with double quotes for cmd on Windows', () => {
    const awkward = `/tmp/a b'c"$d\`e`;
    const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellWord(awkward, 'linux')}`], {
      encoding: 'utf8',
    });
    expect(echoed).toBe(awkward);
    expect(shellWord('C:\\Program Files\\node.exe', 'win32')).toBe('"C:\\Program Files\\node.exe"');
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
    // And it starts: its init (configuration, clients) runs to the end and exports the handler.
    const started = inNode(bundle, 'typeof m.handler', {
      AWS_REGION: 'eu-west-1',
      RATE_LIMIT_TABLE_NAME: 'hoist-test-rate-limits',
    });
    expect(started.stderr).toBe('');
    expect(started.value).toBe('function');
  }, 120_000);
});
