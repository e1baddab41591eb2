import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAST_START_JAVA_TOOL_OPTIONS } from '../shared/local/dynamodb-local.js';
import { authSection } from './auth/auth-section.js';
import { authTarget, bcryptTable, callsTable, tokenTable } from './auth/auth-tables.js';
import { defaultBcryptCost, measureAuth } from './auth/measure-auth.js';
import { coldStartSection } from './cold-start/cold-start-section.js';
import { detailsTable, targetsTable } from './cold-start/cold-start-tables.js';
import { coldStartVerdicts } from './cold-start/cold-start-targets.js';
import { measureColdStart } from './cold-start/measure-cold-start.js';
import { limiterSection } from './limiter/limiter-section.js';
import { limiterTable } from './limiter/limiter-table.js';
import { limiterTarget } from './limiter/limiter-target.js';
import { measureLimiters } from './limiter/measure-limiters.js';
import { machineInfo } from './machine-info.js';
import { markdownTable } from './markdown-table.js';
import { type ChainOverheadResult, measureChainOverhead } from './measure-chain-overhead.js';
import { textTable } from './text-table.js';
import { writeBenchmarksSection } from './write-benchmarks-section.js';

// The JVM of DynamoDB Local starts faster with these; an operator's own setting wins.
process.env.JAVA_TOOL_OPTIONS ??= FAST_START_JAVA_TOOL_OPTIONS;

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const docPath = join(projectRoot, 'docs', 'benchmarks.md');
const chainOptions = { warmupIterations: 2_000, rounds: 25, iterationsPerRound: 1_000 } as const;

/** The bench's parts, in the order they run; `npm run bench -- --only cold-start,auth` picks some. */
const partNames = ['foundation', 'cold-start', 'limiter', 'auth'] as const;
type PartName = (typeof partNames)[number];

const selectedParts = (args: readonly string[]): ReadonlySet<PartName> => {
  const at = args.findIndex((arg) => arg === '--only' || arg.startsWith('--only='));
  if (at === -1) {
    if (args.length > 0)
      throw new Error(`unknown arguments: ${args.join(' ')} (only --only <parts> is known)`);
    return new Set(partNames);
  }
  const arg = args[at] ?? '';
  const value = arg === '--only' ? args[at + 1] : arg.slice('--only='.length);
  const names = (value ?? '').split(',').filter((name) => name.length > 0);
  const unknown = names.filter((name) => !(partNames as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes a comma-separated list of ${partNames.join(', ')}; got "${value ?? ''}"`);
  }
  return new Set(names as PartName[]);
};

const us = (value: number | undefined) => (value === undefined ? '' : value.toFixed(1));
const signedUs = (value: number | undefined) =>
  value === undefined ? '-' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
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

const main = async () => {
  let parts: ReadonlySet<PartName>;
  try {
    parts = selectedParts(process.argv.slice(2));
  } catch (error) {
    console.error(`npm run bench: ${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const machine = machineInfo();
  const date = new Date().toISOString();
  const machineLine = `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}`;
  const loadAtStart = loadAverage();
  console.log(
    `Bulwark bench (${[...parts].join(', ')}), ${date}\n${machineLine}; 1-min load average ${loadAtStart}\n`,
  );
  const failures: string[] = [];
  /** A part that throws is reported and the next one still runs; the run then exits non-zero. */
  const runPart = async (name: PartName, part: () => Promise<void>) => {
    if (!parts.has(name)) return;
    try {
      await part();
    } catch (error) {
      failures.push(name);
      console.error(`\nPart "${name}" failed; its section of ${docPath} was not rewritten:`, error);
    }
  };

  await runPart('foundation', async () => {
    const partStarted = performance.now();
    const foundationLoadAtStart = loadAverage();
    console.log(
      `1. Security chain, in process: ${chainOptions.warmupIterations} warm-up then ` +
        `${chainOptions.rounds} x ${chainOptions.iterationsPerRound} interleaved iterations per variant...`,
    );
    const chain = await measureChainOverhead(chainOptions);
    const chainFigures = chainTable(chain);
    console.log(`${textTable(chainFigures.header, chainFigures.rows)}\n`);
    const elapsedS = (performance.now() - partStarted) / 1000;
    const loadAtEnd = loadAverage();
    const section = [
      '## Foundation: security chain overhead',
      '',
      `Run ${date} on ${machineLine}; this part took ${elapsedS.toFixed(0)} s; 1-min load average ${foundationLoadAtStart} before it, ` +
        `${loadAtEnd} after (above the core count means other work shared the machine and every figure is inflated). ` +
        'Bundle sizes and module init are in the cold-start section.',
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
    ].join('\n');
    await writeBenchmarksSection(docPath, 'foundation', section);
    console.log(
      `Wrote ${docPath} (section foundation); foundation part ${elapsedS.toFixed(1)} s; load average ${loadAtEnd}.`,
    );
  });

  await runPart('cold-start', async () => {
    const coldLoadAtStart = loadAverage();
    console.log(
      '\n2. Cold start: every function against the hand-written baseline (bundle size, module init, ' +
        'init + first request)...',
    );
    const bench = await measureColdStart(projectRoot, (line) => console.log(line));
    const verdicts = coldStartVerdicts(bench.bundles, bench.results);
    for (const table of [targetsTable(bench, verdicts), detailsTable(bench)])
      console.log(`${textTable(table.header, table.rows)}\n`);
    console.log(verdicts.line);
    const coldLoadAtEnd = loadAverage();
    await writeBenchmarksSection(
      docPath,
      'cold-start',
      coldStartSection(bench, verdicts, {
        date,
        machineLine,
        node: machine.node,
        loadAtStart: coldLoadAtStart,
        loadAtEnd: coldLoadAtEnd,
      }),
    );
    console.log(
      `Wrote ${docPath} (section cold-start); cold-start part ${bench.elapsedS.toFixed(1)} s; load average ${coldLoadAtEnd}.`,
    );
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
