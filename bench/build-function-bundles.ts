import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { esmBundling } from '../infra/constructs/esm-bundling.js';
import { hoistBuiltinImports } from '../infra/constructs/hoist-builtin-imports.js';
import { gatewayFunctionIds } from '../shared/routes/realtime-gateway.js';
import { fallbackRoute, routes } from '../shared/routes/route-table.js';

/**
 * The stack's bundling options (infra/constructs/esm-bundling.ts, what every RouteFunction passes to
 * NodejsFunction) as esbuild takes them, read from the same object so the two cannot drift. NodejsFunction
 * always bundles for platform node and keeps `@aws-sdk/*` external unless told otherwise.
 */
const stackBundling = (projectRoot: string, asBulwarkFunction: boolean): BuildOptions => {
  const format = String(esmBundling.format ?? 'cjs');
  if (format !== 'esm' && format !== 'cjs') throw new Error(`unexpected bundling format ${format}`);
  return {
    bundle: true,
    platform: 'node',
    format,
    ...(esmBundling.target === undefined ? {} : { target: esmBundling.target }),
    ...(esmBundling.mainFields === undefined ? {} : { mainFields: [...esmBundling.mainFields] }),
    ...(esmBundling.banner === undefined ? {} : { banner: { js: esmBundling.banner } }),
    minify: esmBundling.minify ?? false,
    // Bulwark's own substitutions (esm-bundling.ts), resolved from the project root as esbuild does.
    alias: asBulwarkFunction
      ? Object.fromEntries(
          Object.entries(esmBundling.esbuildArgs ?? {})
            .filter(([flag]) => flag.startsWith('--alias:'))
            .map(([flag, to]) => [flag.slice('--alias:'.length), resolve(projectRoot, String(to))]),
        )
      : {},
    external: [...(esmBundling.externalModules ?? ['@aws-sdk/*'])],
  };
};

export interface PackageShare {
  readonly name: string;
  readonly bytes: number;
}

export interface FunctionBundle {
  readonly id: string;
  readonly outfile: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Bytes of the output contributed per npm package (or `(own code)` for the project's own code), largest first. */
  readonly packages: readonly PackageShare[];
  /** The project's own modules in the bundle, relative to the project root (what the function loads). */
  readonly ownModules: readonly string[];
}

/** `node_modules/@scope/name/...` → `@scope/name`; anything outside node_modules is our own code. */
const packageOf = (inputPath: string): string => {
  const marker = 'node_modules/';
  const at = inputPath.lastIndexOf(marker);
  if (at === -1) return '(own code)';
  const parts = inputPath.slice(at + marker.length).split('/');
  return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1]}` : (parts[0] ?? '(unknown)');
};

/**
 * Every function Bulwark's stack deploys: each route (core and realtime), the fallback and the gateway's.
 * The cold-start bench times each of them (a representative first request per function in
 * bench/cold-start/cold-start-stack.ts); the bundle-budget test checks each bundle.
 */
export const deployedFunctionIds = (): string[] => [
  ...routes.map((route) => route.id),
  fallbackRoute.id,
  ...gatewayFunctionIds(),
];

/**
 * Bundles one entry with the CDK stack's esbuild settings (ESM, node24, minified, nothing external, so
 * @aws-sdk/* is inside the bundle) but without a source map, for the size figure, then, for Bulwark's
 * functions, rewrites the bundle as the stack's bundling hook does (hoistBuiltinImports). Every function
 * and the hand-written baseline go through this one call.
 */
export const bundleEntry = async (
  projectRoot: string,
  id: string,
  entry: string,
  outDir: string,
  /** Bulwark's functions get its bundle-time substitutions and its hook; the hand-written baseline is bundled plainly. */
  options: { readonly asBulwarkFunction: boolean } = { asBulwarkFunction: true },
): Promise<FunctionBundle> => {
  const outfile = join(outDir, `${id}.mjs`);
  const result = await build({
    ...stackBundling(projectRoot, options.asBulwarkFunction),
    absWorkingDir: projectRoot,
    entryPoints: [join(projectRoot, entry)],
    outfile,
    sourcemap: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${id}`);
  const perPackage = new Map<string, number>();
  const ownModules: string[] = [];
  for (const [path, input] of Object.entries(output.inputs)) {
    if (packageOf(path) === '(own code)') ownModules.push(path);
    const name = packageOf(path);
    perPackage.set(name, (perPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  if (options.asBulwarkFunction)
    await writeFile(outfile, hoistBuiltinImports(await readFile(outfile, 'utf8')).code);
  const code = await readFile(outfile);
  return {
    id,
    outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    ownModules,
    packages: [...perPackage]
      .map(([name, bytes]) => ({ name, bytes }))
      .sort((left, right) => right.bytes - left.bytes),
  };
};
