import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { fallbackRoute, functionEntry, routes } from '../shared/routes/route-table.js';

/** Same banner as infra/constructs/route-function.ts: lets CommonJS dependencies call require(). */
const esmRequireBanner =
  "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

export interface PackageShare {
  readonly name: string;
  readonly bytes: number;
}

export interface FunctionBundle {
  readonly id: string;
  readonly outfile: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Bytes of the output contributed per npm package (or `(bulwark)` for our own code), largest first. */
  readonly packages: readonly PackageShare[];
}

/** `node_modules/@scope/name/...` → `@scope/name`; anything outside node_modules is our own code. */
const packageOf = (inputPath: string): string => {
  const marker = 'node_modules/';
  const at = inputPath.lastIndexOf(marker);
  if (at === -1) return '(bulwark)';
  const parts = inputPath.slice(at + marker.length).split('/');
  return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1]}` : (parts[0] ?? '(unknown)');
};

/** Every function the CDK stack deploys: each route-table entry plus the fallback. */
export const functionIds = (): string[] => [...routes.map((route) => route.id), fallbackRoute.id];

/**
 * Bundles every function with the CDK stack's esbuild settings (ESM, node24, minified, nothing
 * external, so @aws-sdk/* is inside the bundle) but without a source map, for the size figure.
 */
export const buildFunctionBundles = async (
  projectRoot: string,
  outDir: string,
): Promise<FunctionBundle[]> => {
  const bundles: FunctionBundle[] = [];
  for (const id of functionIds()) {
    const outfile = join(outDir, `${id}.mjs`);
    const result = await build({
      absWorkingDir: projectRoot,
      entryPoints: [join(projectRoot, functionEntry(id))],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      sourcemap: false,
      mainFields: ['module', 'main'],
      banner: { js: esmRequireBanner },
      external: [],
      metafile: true,
      logLevel: 'silent',
    });
    const output = Object.values(result.metafile.outputs)[0];
    if (output === undefined) throw new Error(`esbuild produced no output for ${id}`);
    const perPackage = new Map<string, number>();
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = packageOf(path);
      perPackage.set(name, (perPackage.get(name) ?? 0) + input.bytesInOutput);
    }
    const code = await readFile(outfile);
    bundles.push({
      id,
      outfile,
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      packages: [...perPackage]
        .map(([name, bytes]) => ({ name, bytes }))
        .sort((left, right) => right.bytes - left.bytes),
    });
  }
  return bundles;
};
