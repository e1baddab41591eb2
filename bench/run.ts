import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAST_START_JAVA_TOOL_OPTIONS } from '../shared/local/dynamodb-local.js';
import { authSection } from './auth/auth-section.js';
import { authTarget, bcryptTable, callsTable, tokenTable } from './auth/auth-tables.js';
import { defaultBcryptCost, measureAuth } from './auth/measure-auth.js';
import {
  benchOrigin,
  benchPepperSecretArn,
  benchSecrets,
  benchSigningSecretArn,
  benchVerificationSecretArn,
} from './bench-runtime.js';
import { buildFunctionBundles, type FunctionBundle } from './build-function-bundles.js';
import { limiterSection } from './limiter/limiter-section.js';
import { limiterTable } from './limiter/limiter-table.js';
import { limiterTarget } from './limiter/limiter-target.js';
import { measureLimiters } from './limiter/measure-limiters.js';
import { machineInfo } from './machine-info.js';
import { markdownTable } from './markdown-table.js';
import { type ChainOverheadResult, measureChainOverhead } from './measure-chain-overhead.js';
import { type ModuleInitResult, measureModuleInit } from './measure-module-init.js';
import { textTable } from './text-table.js';
import { writeBenchmarksSection } from './write-benchmarks-section.js';

// The JVM of DynamoDB Local starts faster with these; an operator's own setting wins.
process.env.JAVA_TOOL_OPTIONS ??= FAST_START_JAVA_TOOL_OPTIONS;

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const docPath = join(projectRoot, 'docs', 'benchmarks.md');
const initRuns = 15;
const chainOptions = { warmupIterations: 2_000, rounds: 25, iterationsPerRound: 1_000 } as const;
const baselineId = '(empty module)';

const us = (value: number | undefined) => (value === undefined ? '' : value.toFixed(1));
const signedUs = (value: number | undefined) =>
  value === undefined ? '-' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
const ms = (value: number) => value.toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const loadAverage = () => loadavg()[0]?.toFixed(2) ?? '?';

const chainTable = (result: ChainOverheadResult) => ({
  header: [
    'variant',
    'status',
    'mean us',
    'p50 us',
    'p90 us',
    'p99 us',
    'overhead p50 us',
    'overhead p99 us',
  ],
  rows: result.variants.map((variant) => [
    variant.label,
    String(variant.status),
    us(variant.stats.meanUs),
    us(variant.stats.p50Us),
    us(variant.stats.p90Us),
    us(variant.stats.p99Us),
    signedUs(variant.overheadP50Us),
    signedUs(variant.overheadP99Us),
  ]),
});

const topPackages = (bundle: FunctionBundle) =>
  bundle.packages
    .slice(0, 3)
    .map((share) => `${share.name} ${kib(share.bytes)}`)
    .join(', ');

const functionTable = (bundles: readonly FunctionBundle[], inits: readonly ModuleInitResult[]) => {
  const initOf = (id: string) => {
    const found = inits.find((init) => init.id === id);
    if (found === undefined) throw new Error(`no init figures for ${id}`);
    return found;
  };
  const initCells = (init: ModuleInitResult) => [
    ms(init.importP50Ms),
    ms(init.importP90Ms),
    ms(init.readyP50Ms),
    ms(init.readyP90Ms),
  ];
  return {
    header: [
      'function',
      'bundle KiB',
      'gzip KiB',
      'import p50 ms',
      'import p90 ms',
      'ready p50 ms',
      'ready p90 ms',
      'largest contributors (KiB)',
    ],
    rows: [
      ...bundles.map((bundle) => [
        bundle.id,
        kib(bundle.bytes),
        kib(bundle.gzipBytes),
        ...initCells(initOf(bundle.id)),
        topPackages(bundle),
      ]),
      [baselineId, '0.0', '-', ...initCells(initOf(baselineId)), '-'],
    ],
  };
};

const main = async () => {
  const started = performance.now();
  const machine = machineInfo();
  const date = new Date().toISOString();
  const machineLine = `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}`;
  const loadAtStart = loadAverage();
  console.log(`Bulwark foundation bench, ${date}\n${machineLine}; 1-min load average ${loadAtStart}\n`);
  const failures: string[] = [];
  /** A part that throws is reported and the next one still runs; the run then exits non-zero. */
  const runPart = async (name: string, part: () => Promise<void>) => {
    try {
      await part();
    } catch (error) {
      failures.push(name);
      console.error(`\nPart "${name}" failed; its section of ${docPath} was not rewritten:`, error);
    }
  };

  await runPart('foundation', async () => {
    console.log(
      `1. Security chain, in process: ${chainOptions.warmupIterations} warm-up then ` +
        `${chainOptions.rounds} x ${chainOptions.iterationsPerRound} interleaved iterations per variant...`,
    );
    const chain = await measureChainOverhead(chainOptions);
    const chainFigures = chainTable(chain);
    console.log(`${textTable(chainFigures.header, chainFigures.rows)}\n`);

    const workDir = await mkdtemp(join(tmpdir(), 'bulwark-bench-'));
    try {
      console.log('2. Function bundles (esbuild, CDK settings, no source map) and module init...');
      const bundles = await buildFunctionBundles(projectRoot, join(workDir, 'bundles'));
      const secretsFile = join(workDir, 'secrets.json');
      await writeFile(secretsFile, JSON.stringify(await benchSecrets()));
      const emptyModule = join(workDir, 'empty.mjs');
      await writeFile(emptyModule, '');
      const inits = await measureModuleInit(
        workDir,
        [
          { id: baselineId, file: emptyModule },
          ...bundles.map((bundle) => ({ id: bundle.id, file: bundle.outfile })),
        ],
        {
          ENVIRONMENT: 'development',
          API_KEY_PEPPER_SECRET_ARN: benchPepperSecretArn,
          JWT_SIGNING_SECRET_ARN: benchSigningSecretArn,
          JWT_VERIFICATION_KEYS_SECRET_ARN: benchVerificationSecretArn,
          LOCAL_SECRETS_FILE: secretsFile,
          SESSIONS_TABLE_NAME: 'bench-sessions',
          API_KEYS_TABLE_NAME: 'bench-api-keys',
          USERS_TABLE_NAME: 'bench-users',
          RATE_LIMIT_TABLE_NAME: 'bench-rate-limits',
          DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
          LOG_LEVEL: 'error',
          CORS_ALLOW_ORIGINS: benchOrigin,
        },
        initRuns,
      );
      const functionFigures = functionTable(bundles, inits);
      console.log(`${textTable(functionFigures.header, functionFigures.rows)}\n`);

      const largest = [...bundles].sort((left, right) => right.bytes - left.bytes)[0];
      const elapsedS = (performance.now() - started) / 1000;
      const loadAtEnd = loadAverage();
      const section = [
        '## Foundation: security chain overhead, bundle size, module init',
        '',
        `Run ${date} on ${machineLine}; bench took ${elapsedS.toFixed(0)} s; 1-min load average ${loadAtStart} at start, ` +
          `${loadAtEnd} at end (above the core count means other work shared the machine and every figure is inflated).`,
        '',
        '### Security chain overhead (in process)',
        '',
        `Per-request latency of one invocation, timed with \`process.hrtime.bigint()\` around \`await handler(event, context)\`: ` +
          `${chainOptions.warmupIterations.toLocaleString('en')} warm-up iterations per variant, then ` +
          `${(chainOptions.rounds * chainOptions.iterationsPerRound).toLocaleString('en')} measured per variant in ` +
          `${chainOptions.rounds} interleaved rounds. Events are API Gateway REST proxy events with mixed-case ` +
          'headers and an allowed `Origin`; the runtime has an in-memory secret store behind the real cache, a ' +
          'Powertools logger at `error` and a fixed clock. (c) and (d) send the API key and run `createUserInput`; ' +
          'the handler does not hash or store. Overhead = variant − bare handler at the same percentile.',
        '',
        markdownTable(chainFigures.header, chainFigures.rows, [1, 2, 3, 4, 5, 6, 7]),
        '',
        '### Per-function bundle size and module init',
        '',
        'Bundled with esbuild as the CDK stack does (bundle, platform node, ESM, target node24, minified, ' +
          "`mainFields: ['module', 'main']`, the createRequire banner, **no externals: `@aws-sdk/*` is bundled**), " +
          'without the source map the stack also ships. gzip (level 9) approximates the deployment zip.',
        '',
        `Module init: \`node\` ${machine.node} spawned ${initRuns} times per function (one child at a time, functions ` +
          'interleaved) with a development environment (local secrets file, unreachable DynamoDB endpoint that ' +
          'init never calls, `LOG_LEVEL=error`). *import* is measured inside the child from the first line of a ' +
          'wrapper script to the end of `await import(bundle)`, top-level await (config parse, secret load) ' +
          'included; *ready* is the same end point measured from process start (Node bootstrap included). ' +
          `The \`${baselineId}\` row imports an empty file: the floor.`,
        '',
        markdownTable(functionFigures.header, functionFigures.rows, [1, 2, 3, 4, 5, 6]),
        '',
        largest === undefined
          ? ''
          : `Largest bundle: \`${largest.id}\`, ${kib(largest.bytes)} KiB, mostly ${topPackages(largest)}.`,
      ].join('\n');
      await writeBenchmarksSection(docPath, 'foundation', section);
      console.log(
        `Wrote ${docPath} (section foundation); total ${elapsedS.toFixed(1)} s; load average ${loadAtEnd}.`,
      );
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });

  await runPart('limiter', async () => {
    const limiterLoadAtStart = loadAverage();
    console.log('\n3. Rate limiter: Bulwark versus rate-limiter-flexible on one DynamoDB Local...');
    const limiters = await measureLimiters((line) => console.log(line));
    const limiterFigures = limiterTable(limiters.rows);
    const target = limiterTarget(limiters.rows);
    console.log(`${textTable(limiterFigures.header, limiterFigures.rows)}\n`);
    console.log(target.line);
    for (const warning of limiters.warnings) console.log(`Warning: ${warning}`);
    const limiterLoadAtEnd = loadAverage();
    await writeBenchmarksSection(
      docPath,
      'limiter',
      limiterSection(limiters, target, {
        date,
        machineLine,
        loadAtStart: limiterLoadAtStart,
        loadAtEnd: limiterLoadAtEnd,
      }),
    );
    console.log(
      `Wrote ${docPath} (section limiter); limiter part ${limiters.elapsedS.toFixed(1)} s; load average ${limiterLoadAtEnd}.`,
    );
  });

  await runPart('auth', async () => {
    const authLoadAtStart = loadAverage();
    console.log(
      "\n4. Authentication: login cost, token cost, DynamoDB calls per request (this machine's figures)...",
    );
    const auth = await measureAuth((line) => console.log(line));
    const authTables = [
      bcryptTable(auth.bcrypt, defaultBcryptCost),
      tokenTable(auth.tokens),
      callsTable(auth.calls.scenarios),
    ];
    for (const table of authTables) console.log(`${textTable(table.header, table.rows)}\n`);
    const authVerdict = authTarget(auth.calls.scenarios);
    console.log(authVerdict.line);
    for (const warning of auth.calls.warnings) console.log(`Warning: ${warning}`);
    const authLoadAtEnd = loadAverage();
    await writeBenchmarksSection(
      docPath,
      'auth',
      authSection(auth, authVerdict, {
        date,
        machineLine,
        loadAtStart: authLoadAtStart,
        loadAtEnd: authLoadAtEnd,
      }),
    );
    console.log(
      `Wrote ${docPath} (section auth); auth part ${auth.elapsedS.toFixed(1)} s; load average ${authLoadAtEnd}.`,
    );
  });
  if (failures.length > 0) {
    console.error(`\nFailed parts: ${failures.join(', ')}.`);
    process.exitCode = 1;
  }
};

await main();
