/**
 * The layers of shared/ (docs/adr/0013-layers.md), read from the import graph: every arrow between
 * folders points down, so no folder cycle can exist, and product code never reaches into tests, tooling
 * or the infrastructure. A new folder must be given its place here before it can be imported.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Lower numbers are more basic; a folder may import only folders with a lower number. */
const layers: Readonly<Record<string, number>> = {
  errors: 0, // BulwarkError, the problem catalogue, field errors, configuration errors
  resources: 0, // table and secret definitions: plain data
  logging: 0, // the logger and redaction
  domain: 1, // pure: use cases, policies, ports (no SDK, no environment)
  auth: 2, // token cryptography (jose) and the principal
  http: 3, // HTTP vocabulary: hosts, client addresses, responses, request state
  config: 4, // runtime settings, parsed once
  adapters: 5, // DynamoDB, Secrets Manager, metrics: implement domain ports
  middlewares: 5, // one security step each; receive functions, never the runtime
  routes: 5, // route definitions and tables: plain data plus matching
  runtime: 6, // composition: createRuntime and one builder per capability
  chain: 7, // the security chain and the route modules that build it
  gateway: 7, // the realtime gateway's functions ($connect, messages, $disconnect, revocations)
  local: 8, // the local server and DynamoDB Local, never bundled into a function
  openapi: 8, // the OpenAPI document of a route table, generated from the route modules' contracts
  'index.ts': 9, // the public barrel (`bulwark`): what a team's app may import
};

const root = resolve(import.meta.dirname, '..', '..');

const sourceFiles = (folder: string): string[] =>
  readdirSync(join(root, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });

/** Every relative module a file imports or re-exports, type-only included (an arrow is an arrow). */
const importsOf = (file: string): string[] => {
  const source = readFileSync(join(root, file), 'utf8');
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s+'([^']+)'/gm),
    ...source.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((match) => match[1] ?? '');
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts'));
};

const top = (path: string): string => path.split('/')[0] ?? '';
const sharedFolderOf = (path: string): string | undefined =>
  top(path) === 'shared' ? path.split('/')[1] : undefined;

const sharedFiles = sourceFiles('shared');
const functionFiles = sourceFiles('functions');

describe('the layers of shared/', () => {
  it('gives every folder of shared/ a layer', () => {
    const folders = new Set(sharedFiles.map((file) => sharedFolderOf(file) ?? ''));
    expect([...folders].filter((folder) => layers[folder] === undefined)).toEqual([]);
  });

  it('points every import between folders down a layer, so no folder imports one that imports it', () => {
    const upward = sharedFiles.flatMap((file) =>
      importsOf(file)
        .filter((target) => top(target) === 'shared')
        .flatMap((target) => {
          const from = sharedFolderOf(file) ?? '';
          const to = sharedFolderOf(target) ?? '';
          if (from === to) return [];
          return (layers[to] ?? Number.POSITIVE_INFINITY) < (layers[from] ?? 0)
            ? []
            : [`${file} -> ${target}`];
        }),
    );
    expect(upward).toEqual([]);
  });

  it('never reaches from product code into functions, infra, scripts, bench or tests', () => {
    const outward = sharedFiles.flatMap((file) =>
      importsOf(file)
        .filter((target) => top(target) !== 'shared' && top(target) !== 'node_modules')
        .map((target) => `${file} -> ${target}`),
    );
    expect(outward).toEqual([]);
  });

  it('lets a function import only shared/ and its own folder', () => {
    const stray = functionFiles.flatMap((file) =>
      importsOf(file)
        .filter((target) => top(target) !== 'shared' && dirname(target) !== dirname(file))
        .map((target) => `${file} -> ${target}`),
    );
    expect(stray).toEqual([]);
  });

  it('keeps a function handler to one line of wiring: build its route on the Lambda runtime', () => {
    // Route functions: those with a route module. The rotation, the guard-rail forwarder and the health
    // probe are invoked by AWS services, not API Gateway, and wire themselves.
    const handlers = functionFiles.filter(
      (file) =>
        file.endsWith('/handler.ts') && functionFiles.includes(file.replace(/handler\.ts$/, 'route.ts')),
    );
    expect(handlers).toHaveLength(functionFiles.filter((file) => file.endsWith('/route.ts')).length);
    expect(handlers.length).toBeGreaterThan(0);
    for (const handler of handlers) {
      expect(readFileSync(join(root, handler), 'utf8')).toContain(
        'export const handler = await route.build(loadRuntime());',
      );
    }
  });
});
