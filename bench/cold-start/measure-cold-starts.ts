import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { percentile } from '../latency-stats.js';

const run = promisify(execFile);

/**
 * Runs in the child. *import* runs from its first line to the end of `await import(bundle)`, top-level
 * await included (config, clients, secrets loaded at init); then, with an event file, one invocation of
 * `handler` with a Lambda-shaped context, timed on its own. Each phase is timed on the wall clock and in
 * CPU time of the process (user + system, all its threads), which other work on the machine disturbs
 * much less. The result goes to a file: stdout belongs to the function (EMF metrics lines).
 */
const probeSource = `const start = performance.now();
const cpuStart = process.cpuUsage();
const bundle = await import(process.argv[2]);
const end = performance.now();
const cpuInit = process.cpuUsage(cpuStart);
const { readFileSync, writeFileSync } = process.getBuiltinModule('node:fs');
const cpuMs = (usage) => (usage.user + usage.system) / 1000;
const result = { importMs: end - start, readyMs: end, importCpuMs: cpuMs(cpuInit) };
if (process.argv[4] !== undefined) {
  const event = JSON.parse(readFileSync(process.argv[4], 'utf8'));
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench',
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: '/aws/lambda/bench',
    logStreamName: '2026/01/01/[$LATEST]bench',
    getRemainingTimeInMillis: () => 29000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  const begin = performance.now();
  const cpuBegin = process.cpuUsage();
  const response = await bundle.handler(event, context);
  result.firstRequestMs = performance.now() - begin;
  result.firstRequestCpuMs = cpuMs(process.cpuUsage(cpuBegin));
  result.status = response?.statusCode;
  result.headers = response?.headers ?? {};
  result.body = typeof response?.body === 'string' ? response.body.slice(0, 2000) : undefined;
}
writeFileSync(process.argv[3], JSON.stringify(result));
process.exit(0);
`;

/**
 * The targets in the order run `index` starts them: shuffled per run with a fixed seed (the same order
 * for the same run in every bench), so no target always follows the same neighbour or sits at the same
 * point of the machine's rhythm: in one fixed order, single functions' ratios moved by 0.1 and more
 * between runs whose code differed only in what every function shares.
 */
export const orderOfRun = <T>(targets: readonly T[], index: number): T[] => {
  // mulberry32, seeded by the run's index.
  let seed = (index + 1) * 0x9e3779b9;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const order = [...targets];
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as T, order[i] as T];
  }
  return order;
};

/** The first invocation after init, prepared fresh for each sample (a new session, a key to revoke). */
export interface FirstRequest {
  /** What Lambda hands the function: a REST proxy event, a WebSocket event or a stream batch. */
  readonly event: object;
  /** The answer's status; `undefined` for a function that answers nothing (the stream function). */
  readonly expectedStatus: number | undefined;
  /** For answers whose status says little (a WebSocket frame is a 200 either way): text the body holds. */
  readonly expectedBody?: string;
}

export interface ColdStartTarget {
  readonly id: string;
  readonly file: string;
  /** Added to the shared environment for this target only. */
  readonly env?: Readonly<Record<string, string>>;
  /** Absent: init only (the empty-module floor). */
  readonly request?: (sample: number) => Promise<FirstRequest>;
}

/** What the stand-ins answered, read before and after each child to count that cold start's calls. */
export interface CallCounters {
  readonly secretsManager: () => number;
  readonly dynamoDb: () => number;
}

export interface ProbeAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string | undefined;
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
}

export interface ColdStartResult {
  readonly id: string;
  readonly samples: number;
  /** From the probe's first line to the end of `await import(bundle)`: the module init. */
  readonly initMs: Percentiles;
  /** The same end point from process start (performance.timeOrigin): Node bootstrap included. */
  readonly readyMs: Percentiles;
  /** The first invocation alone, and init plus it, summed per sample before taking percentiles. */
  readonly firstRequestMs: Percentiles | undefined;
  readonly initPlusFirstMs: Percentiles | undefined;
  /** The same phases in CPU time of the child (user + system): less sensitive to a busy machine. */
  readonly initCpuMs: Percentiles;
  readonly initPlusFirstCpuMs: Percentiles | undefined;
  /** Per cold start (init and first request): min and max over the samples. */
  readonly secretsManagerCalls: { readonly min: number; readonly max: number };
  readonly dynamoDbCalls: { readonly min: number; readonly max: number };
  /** The last sample's answer, for checks and tests. */
  readonly lastAnswer: ProbeAnswer | undefined;
}

interface ProbeOutput {
  readonly importMs: number;
  readonly readyMs: number;
  readonly importCpuMs: number;
  readonly firstRequestMs?: number;
  readonly firstRequestCpuMs?: number;
  readonly status?: number;
  readonly headers?: Record<string, unknown>;
  readonly body?: string;
}

interface Sample {
  readonly output: ProbeOutput;
  readonly secretsManagerCalls: number;
  readonly dynamoDbCalls: number;
}

const percentiles = (values: readonly number[]): Percentiles => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9) };
};

const range = (values: readonly number[]) => ({ min: Math.min(...values), max: Math.max(...values) });

export interface ColdStartOptions {
  /** Measured samples per target. */
  readonly runs: number;
  /** Unmeasured rounds first: the page cache, and DynamoDB Local's JIT for the first requests. */
  readonly warmupRuns: number;
  readonly counters: CallCounters;
  readonly progress?: (line: string) => void;
}

/**
 * Spawns `node` (this process's binary) once per sample, one child at a time, targets interleaved
 * within each run so machine drift hits all of them alike. Each child is a fresh process, as on a Lambda
 * cold start: it imports the bundle and, when the target has a request, invokes the handler once. A
 * child that fails, or an answer with another status than expected, is a real error and throws.
 */
export const measureColdStarts = async (
  workDir: string,
  targets: readonly ColdStartTarget[],
  env: Readonly<Record<string, string>>,
  options: ColdStartOptions,
): Promise<ColdStartResult[]> => {
  const probe = join(workDir, 'cold-start-probe.mjs');
  await writeFile(probe, probeSource);
  const samples = new Map<string, Sample[]>(targets.map((target) => [target.id, []]));
  const once = async (target: ColdStartTarget, sample: number): Promise<Sample> => {
    const resultFile = join(workDir, `probe-result-${target.id}.json`);
    const eventFile = join(workDir, `probe-event-${target.id}.json`);
    await rm(resultFile, { force: true });
    const request = await target.request?.(sample);
    if (request !== undefined) await writeFile(eventFile, JSON.stringify(request.event));
    const secretsBefore = options.counters.secretsManager();
    const dynamoDbBefore = options.counters.dynamoDb();
    const args = [probe, pathToFileURL(target.file).href, resultFile];
    if (request !== undefined) args.push(eventFile);
    try {
      await run(process.execPath, args, {
        cwd: workDir,
        env: { ...env, ...target.env },
        timeout: 30_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`cold start of ${target.id} failed: ${(stderr ?? '').slice(0, 2_000)}`, {
        cause: error,
      });
    }
    const output = JSON.parse(await readFile(resultFile, 'utf8')) as ProbeOutput;
    if (
      request !== undefined &&
      (output.status !== request.expectedStatus ||
        (request.expectedBody !== undefined && !(output.body ?? '').includes(request.expectedBody)))
    ) {
      throw new Error(
        `${target.id} answered its first request with ${String(output.status)}, expected ` +
          `${String(request.expectedStatus)}${request.expectedBody === undefined ? '' : ` and a body with "${request.expectedBody}"`}: ${output.body ?? ''}`,
      );
    }
    return {
      output,
      secretsManagerCalls: options.counters.secretsManager() - secretsBefore,
      dynamoDbCalls: options.counters.dynamoDb() - dynamoDbBefore,
    };
  };

  const totalRuns = options.warmupRuns + options.runs;
  for (let index = 0; index < totalRuns; index += 1) {
    const measured = index >= options.warmupRuns;
    for (const target of orderOfRun(targets, index)) {
      const sample = await once(target, index);
      if (measured) samples.get(target.id)?.push(sample);
    }
    options.progress?.(
      measured
        ? `   run ${index - options.warmupRuns + 1}/${options.runs} done`
        : `   warm-up round ${index + 1}/${options.warmupRuns} done`,
    );
  }

  return targets.map((target) => {
    const taken = samples.get(target.id) ?? [];
    const outputs = taken.map((sample) => sample.output);
    const withRequest = outputs.filter((output) => output.firstRequestMs !== undefined);
    const last = outputs.at(-1);
    return {
      id: target.id,
      samples: taken.length,
      initMs: percentiles(outputs.map((output) => output.importMs)),
      readyMs: percentiles(outputs.map((output) => output.readyMs)),
      firstRequestMs:
        withRequest.length === 0
          ? undefined
          : percentiles(withRequest.map((output) => output.firstRequestMs ?? 0)),
      initPlusFirstMs:
        withRequest.length === 0
          ? undefined
          : percentiles(withRequest.map((output) => output.importMs + (output.firstRequestMs ?? 0))),
      initCpuMs: percentiles(outputs.map((output) => output.importCpuMs)),
      initPlusFirstCpuMs:
        withRequest.length === 0
          ? undefined
          : percentiles(withRequest.map((output) => output.importCpuMs + (output.firstRequestCpuMs ?? 0))),
      secretsManagerCalls: range(taken.map((sample) => sample.secretsManagerCalls)),
      dynamoDbCalls: range(taken.map((sample) => sample.dynamoDbCalls)),
      lastAnswer:
        last?.status === undefined
          ? undefined
          : { status: last.status, headers: last.headers ?? {}, body: last.body },
    };
  });
};
