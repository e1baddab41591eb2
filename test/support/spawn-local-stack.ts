import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeVariableNames } from '../../shared/config/runtime-config.js';
import type { LocalExchange } from '../../shared/local/local-server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const startTimeoutMs = 30_000;
const stopTimeoutMs = 5_000;

export interface LocalStackAdmin {
  readonly username: string;
  readonly password: string;
}

export interface LocalStack {
  readonly baseUrl: string;
  /** The realtime gateway's emulator (`ws://127.0.0.1:<port>/local`), when the stack serves one. */
  readonly realtimeUrl: string | undefined;
  /** The admin API key `npm start` issues at each start (`bwk_<id>:<secret>`). */
  readonly apiKey: string;
  /** The admin user `npm start` creates (password kept in bootstrap.json). */
  readonly admin: LocalStackAdmin;
  /** BULWARK_LOCAL_DIR of this stack; removed by stop(). */
  readonly localDir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  readonly logs: () => string;
  readonly stop: () => Promise<void>;
}

/** What one stack answered, and the OpenAPI document (file) its answers must conform to. */
export interface RecordedExchanges {
  readonly script: string;
  readonly contract: string | undefined;
  readonly exchanges: readonly LocalExchange[];
}

const recordings: RecordedExchanges[] = [];

/**
 * The answers of every stack stopped since the last call (the contract check of
 * test/support/contract-check.setup.ts takes them after each test file).
 */
export const takeRecordedExchanges = (): RecordedExchanges[] => recordings.splice(0);

const readExchanges = async (file: string): Promise<LocalExchange[]> => {
  try {
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as LocalExchange);
  } catch {
    return [];
  }
};

/** The document Bulwark's own stack is checked against. */
export const bulwarkContract = join(root, 'docs', 'openapi.json');

/** Variables the local stack reads besides the runtime ones; never inherited from the caller's shell. */
const localStackVariables = [
  'PORT',
  'HOST',
  'BULWARK_LOCAL_DIR',
  'BULWARK_LOCAL_PERSIST',
  'BULWARK_LOCAL_DYNAMODB_ENDPOINT',
  'BULWARK_LOCAL_TABLE_PREFIX',
  'BULWARK_LOCAL_REALTIME_PORT',
  'BULWARK_LOCAL_EXCHANGE_LOG',
];

const inheritedEnvironment = (): Record<string, string> => {
  const excluded = new Set([...runtimeVariableNames, ...localStackVariables]);
  const inherited: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !excluded.has(name)) inherited[name] = value;
  }
  // The Node running vitest (24 from node_modules/.bin) also runs tsx, whatever the shell's node is.
  inherited.PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  return inherited;
};

interface Bootstrap {
  readonly baseUrl: string;
  readonly realtimeUrl: string | undefined;
  readonly apiKey: string;
  readonly admin: LocalStackAdmin;
}

const readBootstrap = async (file: string): Promise<Bootstrap | undefined> => {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as {
      baseUrl?: unknown;
      realtimeUrl?: unknown;
      apiKey?: unknown;
      admin?: { username?: unknown; password?: unknown } | null;
    };
    const username = parsed.admin?.username;
    const password = parsed.admin?.password;
    if (
      typeof parsed.baseUrl === 'string' &&
      typeof parsed.apiKey === 'string' &&
      typeof username === 'string' &&
      typeof password === 'string'
    ) {
      return {
        baseUrl: parsed.baseUrl,
        realtimeUrl: typeof parsed.realtimeUrl === 'string' ? parsed.realtimeUrl : undefined,
        apiKey: parsed.apiKey,
        admin: { username, password },
      };
    }
  } catch {
    // Not written yet, or written halfway: try again.
  }
  return undefined;
};

const waitForExit = (child: ChildProcess): Promise<void> =>
  new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveExit();
    const fallback = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    fallback.unref();
    child.once('exit', () => {
      clearTimeout(fallback);
      resolveExit();
    });
    child.kill('SIGTERM');
  });

/**
 * Starts `scripts/local-stack.ts` (what `npm start` runs) as a child process on a random port, against the
 * DynamoDB Local at `dynamoDbEndpoint` with a table prefix of its own, and waits for its bootstrap.json.
 * `env` adds or overrides runtime variables (CORS_ALLOW_ORIGINS, TRUSTED_HOSTS, ...). Needs no test
 * runner, so the security suite's CLI uses it too; vitest tests call `startLocalStack` instead.
 */
export const spawnLocalStack = async (
  dynamoDbEndpoint: string,
  env: Record<string, string> = {},
  /** The entry to run: `npm start`'s by default, or an app's own local script (examples/). */
  script = 'scripts/local-stack.ts',
  /**
   * The OpenAPI document (a file) every answer must conform to: Bulwark's for `npm start`'s stack; an
   * app's own for its script, or none.
   */
  contract: string | undefined = script === 'scripts/local-stack.ts' ? bulwarkContract : undefined,
): Promise<LocalStack> => {
  const localDir = await mkdtemp(join(tmpdir(), 'bulwark-stack-'));
  const tablePrefix = `e2e-${randomBytes(6).toString('hex')}-`;
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [script], {
    cwd: root,
    env: {
      ...inheritedEnvironment(),
      PORT: '0',
      BULWARK_LOCAL_REALTIME_PORT: '0',
      HOST: '127.0.0.1',
      BULWARK_LOCAL_DIR: localDir,
      BULWARK_LOCAL_DYNAMODB_ENDPOINT: dynamoDbEndpoint,
      BULWARK_LOCAL_TABLE_PREFIX: tablePrefix,
      // Every answer, one JSON line each, checked against the contract once the stack stops.
      BULWARK_LOCAL_EXCHANGE_LOG: join(localDir, 'exchanges.jsonl'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const logs = () => output;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= waitForExit(child)
      .then(async () => {
        const exchanges = await readExchanges(join(localDir, 'exchanges.jsonl'));
        if (exchanges.length > 0) recordings.push({ script, contract, exchanges });
      })
      .finally(() => rm(localDir, { recursive: true, force: true }));
    return stopped;
  };

  const deadline = Date.now() + startTimeoutMs;
  const bootstrapFile = join(localDir, 'bootstrap.json');
  for (;;) {
    const bootstrap = await readBootstrap(bootstrapFile);
    if (bootstrap !== undefined) return { ...bootstrap, localDir, logs, stop };
    const exited = child.exitCode !== null || child.signalCode !== null || spawnError !== undefined;
    if (exited || Date.now() > deadline) {
      const reason = exited
        ? `exited (code ${child.exitCode}, signal ${child.signalCode}${spawnError === undefined ? '' : `, ${spawnError.message}`})`
        : `wrote no bootstrap.json within ${startTimeoutMs} ms`;
      await stop();
      throw new Error(`local stack ${reason}; its output:\n${output}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
};

/** Starts several stacks at once; if any fails to start, stops the others and rethrows its error. */
export const spawnLocalStacks = async (
  dynamoDbEndpoint: string,
  ...environments: Record<string, string>[]
): Promise<LocalStack[]> => {
  const results = await Promise.allSettled(environments.map((env) => spawnLocalStack(dynamoDbEndpoint, env)));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : null)));
    throw failure.reason;
  }
  return results.map((result) => (result as PromiseFulfilledResult<LocalStack>).value);
};

/** One structured log line of a local stack. */
export interface LogEntry {
  level?: string;
  message?: string;
  request_id?: string;
  [key: string]: unknown;
}

export const logEntries = (stack: LocalStack): LogEntry[] =>
  stack
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogEntry);

/** Log lines arrive through a pipe, a little after the response: waits up to 5 s for `count` matches. */
export const waitForLogs = async (
  stack: LocalStack,
  matches: (entry: LogEntry) => boolean,
  count = 1,
): Promise<LogEntry[]> => {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = logEntries(stack).filter(matches);
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      throw new Error(`expected ${count} matching log lines, found ${found.length}; logs:\n${stack.logs()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
