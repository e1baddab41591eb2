/**
 * A team takes Bulwark as a package (ADR 0020): what `npm pack` makes of this repository, which is what a
 * git dependency or a tarball installs. These tests check that package as npm packs it, then use it from
 * an app of its own, as a team would: the orders example, copied out of this repository with
 * node_modules/bulwark extracted from the tarball, synthesizes; Bulwark's functions bundle from
 * node_modules/bulwark with the options the CDK uses; the app type-checks with Bulwark's compiler options;
 * the `bulwark` CLI and the smoke suite run from it.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = process.cwd();

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly exports: Record<string, string>;
  readonly bin: Record<string, string>;
  readonly dependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;

/** Bulwark's own function modules: a team's CDK app bundles them from node_modules/bulwark. */
const functionEntries = readdirSync('functions')
  .map((id) => `functions/${id}/handler.ts`)
  .filter((entry) => existsSync(entry));

/** What a team's code loads: every export, the CLI's bin, the bundling hook and Bulwark's functions. */
const entryPoints = {
  ...Object.fromEntries(Object.entries(pkg.exports).filter(([, target]) => target.endsWith('.ts'))),
  bin: Object.values(pkg.bin)[0] ?? '',
  bundlingHook: 'infra/constructs/hoist-builtin-imports-command.mjs',
  ...Object.fromEntries(functionEntries.map((entry) => [entry, entry])),
};

const packageNameOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Per entry point: the project files it loads and the npm packages it imports. */
const reachable = async (entry: string) => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    outdir: join(tmpdir(), 'bulwark-reachable'),
  });
  const inputs = result.metafile.inputs;
  return {
    files: Object.keys(inputs),
    packages: [
      ...new Set(
        Object.values(inputs).flatMap((input) =>
          input.imports
            .filter((imported) => imported.external && !imported.path.startsWith('node:'))
            .map((imported) => packageNameOf(imported.path)),
        ),
      ),
    ],
  };
};

const npmPack = (args: readonly string[]) => {
  const result = spawnSync('npm', ['pack', '--json', ...args], { encoding: 'utf8', cwd: root });
  if (result.status !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
  const [packed] = JSON.parse(result.stdout) as { filename: string; files: { path: string }[] }[];
  if (packed === undefined) throw new Error('npm pack printed no package');
  return packed;
};

describe('the package a team installs', () => {
  let packedFiles: Set<string>;
  let loads: Record<string, Awaited<ReturnType<typeof reachable>>>;

  beforeAll(async () => {
    packedFiles = new Set(npmPack(['--dry-run']).files.map((file) => file.path));
    loads = Object.fromEntries(
      await Promise.all(
        Object.entries(entryPoints).map(async ([name, entry]) => [name, await reachable(entry)] as const),
      ),
    );
  }, 120_000);

  it('packs every exports target, the bin, package.json and tsconfig.json', () => {
    for (const target of [...Object.values(pkg.exports), ...Object.values(pkg.bin)]) {
      const path = relative('.', target);
      expect(existsSync(path), path).toBe(true);
      expect(packedFiles.has(path), path).toBe(true);
    }
    expect(pkg.exports['./package.json']).toBe('./package.json');
    // A team's tsconfig extends Bulwark's (`"extends": "bulwark/tsconfig.json"`), whose tsc checks its sources.
    expect(pkg.exports['./tsconfig.json']).toBe('./tsconfig.json');
  });

  it('packs every module the exports, the CLI and Bulwark’s functions load', () => {
    const missing = Object.values(loads)
      .flatMap((load) => load.files)
      .filter((file) => !packedFiles.has(file));
    expect([...new Set(missing)]).toEqual([]);
  });

  it('declares every package they import as a dependency; only bulwark/local needs an optional peer', () => {
    const optionalPeers = Object.keys(pkg.peerDependencies ?? {}).filter(
      (name) => pkg.peerDependenciesMeta?.[name]?.optional === true,
    );
    const undeclared = Object.entries(loads).flatMap(([name, load]) =>
      load.packages
        .filter((dependency) => pkg.dependencies[dependency] === undefined)
        .filter((dependency) => !(name === './local' && optionalPeers.includes(dependency)))
        .map((dependency) => `${name} imports ${dependency}`),
    );
    expect(undeclared).toEqual([]);
    // An optional peer is also a devDependency at a version its range accepts, so this repository runs it.
    for (const peer of optionalPeers) expect(pkg.devDependencies[peer], peer).toBeDefined();
  });

  it('is named in the README’s install recipe with the versions package.json pins', () => {
    const readme = readFileSync('README.md', 'utf8');
    const recipe =
      /<!-- install-recipe:start -->([\s\S]*?)<!-- install-recipe:end -->/.exec(readme)?.[1] ?? '';
    const pins = [...recipe.matchAll(/(?<![\w@/-])((?:@[\w-]+\/)?[\w.-]+)@(\d+\.\d+\.\d+)/g)].map(
      ([, name, version]) => [name ?? '', version ?? ''] as const,
    );
    expect(pins.length).toBeGreaterThan(4);
    for (const [name, version] of pins) {
      const pinned = pkg.dependencies[name] ?? pkg.devDependencies[name];
      expect(`${name}@${pinned}`, 'README install recipe').toBe(`${name}@${version}`);
    }
    expect(recipe).toContain(`${pkg.name}-${pkg.version}.tgz`);
  });
});

describe('the orders example as an app of its own, with Bulwark installed from the tarball', () => {
  let app: string;

  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'bulwark-adoption-'));
    const packed = npmPack(['--pack-destination', app]);
    const modules = join(app, 'node_modules');
    mkdirSync(modules);
    const untar = spawnSync('tar', ['-xzf', join(app, packed.filename), '-C', modules]);
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
    renameSync(join(modules, 'package'), join(modules, 'bulwark'));
    // Bulwark's dependencies as npm would hoist them; links keep this offline and fast.
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (name.startsWith('.') || name === 'bulwark') continue;
      symlinkSync(join(root, 'node_modules', name), join(modules, name));
    }
    cpSync(join(root, 'examples', 'orders-api'), app, { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'orders-api', private: true, type: 'module' }),
    );
    // NodejsFunction needs the app's lock file to exist; bundling is skipped in the synth below.
    writeFileSync(join(app, 'package-lock.json'), '{}');
  }, 120_000);

  afterAll(() => {
    if (app !== undefined) rmSync(app, { recursive: true, force: true });
  });

  const runInApp = (args: readonly string[]) =>
    spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8', timeout: 480_000 });

  it('synthesizes, Bulwark’s functions taken from node_modules/bulwark and bundled from the app’s root', () => {
    writeFileSync(
      join(app, 'synth.ts'),
      [
        "import { App } from 'aws-cdk-lib';",
        "import { stageConfigFromContext } from 'bulwark/cdk';",
        "import { handlerModuleOf } from './entries.js';",
        "import { ordersApp } from './infra/orders-app.js';",
        "const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false } });",
        'const built = ordersApp(app, stageConfigFromContext({}), { projectRoot: process.cwd() });',
        'const assembly = app.synth();',
        'console.log(JSON.stringify({',
        '  stacks: assembly.stacks.map((stack) => stack.stackName).sort(),',
        "  login: handlerModuleOf('login'),",
        "  createOrder: handlerModuleOf('create-order'),",
        '  routes: built.api.routeFunctions.size,',
        '}));',
      ].join('\n'),
    );
    const result = runInApp([join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'synth.ts']);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const synthesized = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
      stacks: string[];
      login: string;
      createOrder: string;
      routes: number;
    };
    expect(synthesized.stacks).toEqual(expect.arrayContaining(['Orders-dev-Api', 'Orders-dev-Data']));
    expect(synthesized.login).toBe(join(app, 'node_modules', 'bulwark', 'functions', 'login', 'handler.ts'));
    expect(synthesized.createOrder).toBe(join(app, 'functions', 'create-order', 'handler.ts'));
    expect(synthesized.routes).toBeGreaterThan(20);
  }, 480_000);

  it('bundles Bulwark’s functions from node_modules/bulwark with the CDK’s options, in the app’s root', async () => {
    // The packed copy's own bundling options, as the installed bulwark/cdk hands them to esbuild.
    const bundling = (await import(
      join(app, 'node_modules', 'bulwark', 'infra', 'constructs', 'esm-bundling.ts')
    )) as typeof import('../../infra/constructs/esm-bundling.js');
    const alias = Object.fromEntries(
      Object.entries(bundling.esmBundling.esbuildArgs ?? {})
        .filter(([flag]) => flag.startsWith('--alias:'))
        .map(([flag, to]) => [flag.slice('--alias:'.length), String(to)]),
    );
    expect(Object.keys(alias)).toEqual(['@aws-sdk/credential-provider-node']);
    const result = await build({
      absWorkingDir: app,
      entryPoints: functionEntries.map((entry) => join(app, 'node_modules', 'bulwark', entry)),
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      mainFields: ['module', 'main'],
      alias,
      outdir: join(app, 'bundles'),
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('lambda-credential-provider'))).toBe(true);
    expect(inputs.filter((input) => input.includes('credential-provider-node/'))).toEqual([]);

    // Then the packed copy's hook rewrites a bundle where NodejsFunction leaves it.
    const bundled = result.outputFiles.find((file) => file.path.endsWith('.js'));
    const outputDir = join(app, 'asset-output');
    mkdirSync(outputDir, { recursive: true });
    writeFileSync(join(outputDir, bundling.bundleFileName), bundled?.text ?? '');
    const [command] = bundling.hoistBuiltinImportsHook.afterBundling(app, outputDir);
    expect(command).toContain(join(app, 'node_modules', 'bulwark', 'infra', 'constructs'));
    const hook = spawnSync('/bin/sh', ['-c', command ?? 'false'], { cwd: app, encoding: 'utf8' });
    expect(hook.stderr).toBe('');
    expect(hook.status).toBe(0);
    const rewritten = readFileSync(join(outputDir, bundling.bundleFileName), 'utf8');
    expect(rewritten.split('\n')[0]).toContain('process.getBuiltinModule("node:');
    expect(rewritten.length).toBeGreaterThan(bundled?.text.length ?? 0);
    const parsed = spawnSync(process.execPath, ['--check', join(outputDir, bundling.bundleFileName)], {
      encoding: 'utf8',
    });
    expect(parsed.stderr).toBe('');
    expect(parsed.status).toBe(0);
  }, 480_000);

  it('type-checks with Bulwark’s compiler options, extended from the package', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ extends: 'bulwark/tsconfig.json', include: ['*.ts', 'infra', 'functions'] }),
    );
    const result = runInApp([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  }, 480_000);

  it('runs the post-deploy smoke suite from the installed package', () => {
    // Port 1 answers nothing: every check fails, which shows the suite loaded and ran from the package.
    const result = runInApp([
      join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join('node_modules', 'bulwark', 'scripts', 'api-smoke.ts'),
      '--url',
      'http://127.0.0.1:1',
    ]);
    expect(result.stdout).toMatch(/^0 passed, [1-9]\d* failed$/m);
    expect(result.status).toBe(1);
  }, 120_000);

  it('runs the bulwark CLI from the installed package', () => {
    const result = runInApp([join(app, 'node_modules', 'bulwark', 'bin', 'bulwark.mjs'), '--help']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: bulwark/);
  }, 120_000);
});
