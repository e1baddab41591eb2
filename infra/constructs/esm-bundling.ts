import { join } from 'node:path';
import {
  type BundlingOptions,
  type ICommandHooks,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { bulwarkPackageRoot } from '../repository-root.js';

/**
 * Modules replaced at bundle time, as absolute paths into Bulwark's package: esbuild runs in the app's root,
 * which is not Bulwark's once Bulwark is installed as a dependency. The AWS SDK's default credential chain
 * becomes the environment provider Lambda needs (shared/adapters/aws/lambda-credential-provider.ts).
 */
export const bundleAliases: Readonly<Record<string, string>> = Object.freeze({
  '@aws-sdk/credential-provider-node': join(
    bulwarkPackageRoot,
    'shared/adapters/aws/lambda-credential-provider.ts',
  ),
});

/** The file NodejsFunction writes for an ESM bundle, in its output folder. */
export const bundleFileName = 'index.mjs';

/**
 * One word of the shell the CDK runs bundling commands in: a POSIX shell, whatever the path holds; on
 * Windows `cmd /c`, which quotes with double quotes only (a Windows path cannot contain one).
 */
export const shellWord = (value: string, platform: NodeJS.Platform = process.platform): string =>
  platform === 'win32' ? `"${value}"` : `'${value.replaceAll("'", "'\\''")}'`;

/**
 * After esbuild: the bundle's static imports of Node built-ins become `process.getBuiltinModule` calls
 * (hoist-builtin-imports.ts; about 3 ms of every cold start). Run with the Node that runs the CDK app,
 * from Bulwark's own package, as the aliases are: bundling is local (esbuild installed), never in Docker.
 */
export const hoistBuiltinImportsHook: ICommandHooks = Object.freeze({
  beforeBundling: (): string[] => [],
  beforeInstall: (): string[] => [],
  afterBundling: (_inputDir: string, outputDir: string): string[] => [
    [
      shellWord(process.execPath),
      shellWord(join(bulwarkPackageRoot, 'infra/constructs/hoist-builtin-imports-command.mjs')),
      shellWord(join(outputDir, bundleFileName)),
    ].join(' '),
  ],
});

/**
 * How every Bulwark function is bundled: one ESM file for Node 24, minified, with its source map beside
 * it. The functions run without `--enable-source-maps` (with it, Node parses the map at every cold start:
 * 15 ms, 15-22 % of a function's init, measured on the bench machine), so a logged stack names bundle
 * positions; `npx tsx scripts/resolve-stack.ts index.mjs.map` turns them back into source lines. The
 * banner lets CommonJS dependencies that call require() work inside the ESM bundle, and the pinned AWS
 * SDK is bundled too, so the deployed code is the code the tests ran. Then the hook above rewrites the
 * built-in imports.
 */
export const esmBundling: BundlingOptions = Object.freeze({
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  externalModules: [],
  esbuildArgs: Object.fromEntries(Object.entries(bundleAliases).map(([from, to]) => [`--alias:${from}`, to])),
  commandHooks: hoistBuiltinImportsHook,
});
