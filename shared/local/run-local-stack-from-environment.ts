import { join, resolve } from 'node:path';
import { FAST_START_JAVA_TOOL_OPTIONS } from './dynamodb-local.js';
import type { LocalStackOptions, RunningLocalStack } from './run-local-stack.js';
import { runLocalStack } from './run-local-stack.js';

/** The knobs of `npm start` (and of an app's local script), read by the caller from its environment. */
export interface LocalStackEnvironment {
  readonly PORT?: string;
  readonly HOST?: string;
  readonly BULWARK_LOCAL_DIR?: string;
  readonly BULWARK_LOCAL_PERSIST?: string;
  readonly BULWARK_LOCAL_DYNAMODB_ENDPOINT?: string;
  readonly BULWARK_LOCAL_TABLE_PREFIX?: string;
  readonly BULWARK_LOCAL_REALTIME_PORT?: string;
  readonly BULWARK_LOCAL_EXCHANGE_LOG?: string;
  readonly AWS_REGION?: string;
  readonly API_AUTH_HEADER?: string;
  readonly JAVA_TOOL_OPTIONS?: string;
  readonly [variable: string]: string | undefined;
}

/**
 * `npm start` for any route table: reads the local knobs from `environment`, runs the stack, hands how to
 * use it to `print`, and stops everything (Java included) on Ctrl-C. Exits non-zero with one line on failure.
 */
export const serveLocally = async (
  options: Pick<LocalStackOptions, 'routes' | 'handlerModule' | 'gateway'> & {
    readonly projectRoot: string;
    readonly name: string;
    readonly environment: LocalStackEnvironment;
    readonly setEnvironment: LocalStackOptions['setEnvironment'];
    /**
     * Where the usage lines go (the URLs, the local admin's password and API key, which `.local/` also
     * holds): the entry script's terminal. The library itself writes nothing to the console.
     */
    readonly print: (line: string) => void;
  },
): Promise<RunningLocalStack> => {
  const { environment } = options;
  const port = Number(environment.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('PORT must be a port number');
  // The realtime gateway listens next to the API: PORT + 1 (a free port when PORT is 0).
  const gatewayPort = Number(environment.BULWARK_LOCAL_REALTIME_PORT ?? (port === 0 ? 0 : port + 1));
  if (!Number.isInteger(gatewayPort) || gatewayPort < 0 || gatewayPort > 65_535)
    throw new Error('BULWARK_LOCAL_REALTIME_PORT must be a port number');
  // The JVM of DynamoDB Local starts faster with these; an operator's own setting wins.
  options.setEnvironment({
    JAVA_TOOL_OPTIONS: environment.JAVA_TOOL_OPTIONS ?? FAST_START_JAVA_TOOL_OPTIONS,
  });
  const localDirectory = resolve(environment.BULWARK_LOCAL_DIR ?? join(options.projectRoot, '.local'));
  const persist = environment.BULWARK_LOCAL_PERSIST === '1';
  const stack = await runLocalStack({
    routes: options.routes,
    handlerModule: options.handlerModule,
    ...(options.gateway === undefined ? {} : { gateway: options.gateway, gatewayPort }),
    localDirectory,
    port,
    host: environment.HOST ?? '127.0.0.1',
    persist,
    ...(environment.BULWARK_LOCAL_DYNAMODB_ENDPOINT === undefined
      ? {}
      : { dynamoDbEndpoint: environment.BULWARK_LOCAL_DYNAMODB_ENDPOINT }),
    tablePrefix: environment.BULWARK_LOCAL_TABLE_PREFIX ?? 'bulwark-local-',
    region: environment.AWS_REGION ?? 'us-east-1',
    ...(environment.BULWARK_LOCAL_EXCHANGE_LOG === undefined
      ? {}
      : { exchangeLog: resolve(environment.BULWARK_LOCAL_EXCHANGE_LOG) }),
    setEnvironment: options.setEnvironment,
    environment,
  });
  options.print(`${options.name} listening on ${stack.server.url}`);
  if (stack.realtime !== undefined) options.print(`  Realtime gateway: ${stack.realtime.url}`);
  options.print(
    `  DynamoDB Local: ${stack.dynamoDbEndpoint}${persist ? ` (data kept in ${join(localDirectory, 'dynamodb')})` : ' (in memory)'}`,
  );
  options.print(`  Admin user: ${stack.admin.username} / ${stack.admin.password}`);
  options.print(`  Admin API key (header ${environment.API_AUTH_HEADER ?? 'x-api-key'}): ${stack.apiKey}`);
  options.print(`  Written to ${stack.bootstrapFile} (mode 0600). Ctrl-C stops everything.`);
  options.print(`  Try: curl -s ${stack.server.url}/health`);
  const shutdown = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  process.once('exit', () => void stack.stop());
  return stack;
};
