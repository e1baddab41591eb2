/**
 * Every function as it is deployed (the stack's esbuild options, nothing external): below the bundle
 * budget of docs/benchmarks.md, and without the AWS SDK's default credential chain, which Lambda never
 * needs. Sizes are deterministic for a given lockfile; times live in `npm run bench`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, parse } from 'es-module-lexer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry, deployedFunctionIds, type FunctionBundle } from '../../bench/build-function-bundles.js';
import { functionEntry } from '../../shared/routes/route-table.js';

const budgetBytes = 450 * 1024;
let outDir: string;
const bundles: FunctionBundle[] = [];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'bulwark-bundles-'));
  for (const id of deployedFunctionIds())
    bundles.push(await bundleEntry(process.cwd(), id, functionEntry(id), outDir));
}, 300_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('function bundles', () => {
  it('bundles every function of the route table and of the realtime gateway', () => {
    expect(bundles.map((bundle) => bundle.id)).toEqual(deployedFunctionIds());
  });

  it('keeps every bundle below 450 KiB', () => {
    const over = bundles.filter((bundle) => bundle.bytes >= budgetBytes).map((b) => `${b.id}: ${b.bytes} B`);
    expect(over).toEqual([]);
  });

  it('carries no credential source but the environment: no SSO, profile, process, web identity or IMDS code', () => {
    for (const bundle of bundles) {
      const names = bundle.packages.map((share) => share.name);
      expect(names, bundle.id).toContain('@aws-sdk/credential-provider-env');
      for (const absent of [
        '@aws-sdk/credential-provider-node',
        '@aws-sdk/credential-provider-sso',
        '@aws-sdk/credential-provider-ini',
        '@aws-sdk/credential-provider-process',
        '@aws-sdk/credential-provider-web-identity',
        '@smithy/credential-provider-imds',
        '@aws-sdk/nested-clients',
      ]) {
        expect(names, `${bundle.id} holds ${absent}`).not.toContain(absent);
      }
    }
  });

  it('imports Node built-ins through process.getBuiltinModule, not as ES modules (the bundling hook ran)', async () => {
    await init;
    for (const bundle of bundles) {
      const code = await readFile(bundle.outfile, 'utf8');
      const [imports] = parse(code);
      const statements = imports
        .filter((found) => found.t === 1 && found.n !== undefined && isBuiltin(found.n))
        .map((found) => code.slice(found.ss, found.se));
      // Namespace imports are left to Node (hoist-builtin-imports.ts): one, of zlib, in the AWS SDK.
      expect(
        statements.filter((statement) => !/^import\s*\*/.test(statement)),
        bundle.id,
      ).toEqual([]);
      expect(code.split('\n')[0], bundle.id).toContain('process.getBuiltinModule("node:module")');
    }
  });

  it.each(['health', 'jwks', 'route-fallback'])(
    'loads no session, login-throttle or API-key code into %s, whose route uses none',
    (id) => {
      const own = bundles.find((bundle) => bundle.id === id)?.ownModules ?? [];
      expect(own.length).toBeGreaterThan(0);
      const unneeded = own.filter((path) =>
        /domain\/(sessions\/refresh|login-throttle|api-keys)|dynamodb-(session-store|login-throttle-store|api-key-store|users-repository)|bcryptjs/.test(
          path,
        ),
      );
      expect(unneeded).toEqual([]);
    },
  );
});
