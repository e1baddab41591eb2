import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import bcrypt from 'bcryptjs';
import { createDynamoDbClient } from '../adapters/dynamodb/create-dynamodb-client.js';
import { createUser } from '../domain/users/create-user.js';
import { UserAlreadyExistsError } from '../errors/user-already-exists-error.js';
import { edgeCorsHeaders } from '../http/edge-cors-headers.js';
import { staticSecurityHeaders } from '../http/static-security-headers.js';
import { secretDefinitions } from '../resources/secret-definitions.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import type { GatewayFunction } from '../routes/realtime-gateway.js';
import { fallbackRoute, type RouteTable } from '../routes/route-definition.js';
import { apiKeysFor } from '../runtime/api-keys-for.js';
import { loadRuntime } from '../runtime/load-runtime.js';
import { usersFor } from '../runtime/users-for.js';
import { createTables } from './create-tables.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { ensureLocalSecrets } from './ensure-local-secrets.js';
import { type LambdaHandler, startLocalServer } from './local-server.js';
import { type RunningStreamPoller, type StreamLambda, startStreamPoller } from './stream-poller.js';
import { copyStructuredLogs } from './structured-log-file.js';
import {
  type RunningWebSocketEmulator,
  startWebSocketEmulator,
  type WebSocketLambda,
} from './websocket-emulator.js';

export interface LocalStackOptions {
  /** Every route served: Bulwark's own table, or an app's table with Bulwark's and its own. */
  readonly routes: RouteTable;
  /** Absolute path of the module whose `handler` serves a route id (and `route-fallback`). */
  readonly handlerModule: (routeId: string) => string;
  /** Where secrets.json, bootstrap.json and a persistent database live (created mode 0700). */
  readonly localDirectory: string;
  readonly port: number;
  readonly host: string;
  /** Keep DynamoDB Local's data in localDirectory instead of memory. */
  readonly persist: boolean;
  /** An already running DynamoDB (Local) to use instead of starting one. */
  readonly dynamoDbEndpoint?: string;
  readonly tablePrefix: string;
  readonly region: string;
  /**
   * Sets the variables the functions read at cold start, exactly as Lambda would give them (the caller
   * owns the process environment; the library reads none).
   */
  readonly setEnvironment: (variables: Readonly<Record<string, string>>) => void;
  /** The runtime variables already set (so an operator's own choice wins over the local defaults). */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /**
   * The realtime gateway's functions (`realtimeGateway`), served by the WebSocket emulator on
   * `gatewayPort` with their revocation streams polled from DynamoDB Local; needed when `routes` has
   * realtime routes. Their modules come from `handlerModule` like the routes'.
   */
  readonly gateway?: readonly GatewayFunction[];
  readonly gatewayPort?: number;
  /**
   * A file to append every request and its answer to, one JSON line each (method, path, status, headers,
   * body): the contract tests check each against the OpenAPI document. Off unless given.
   */
  readonly exchangeLog?: string;
}

export interface RunningLocalStack {
  readonly server: Server & { readonly url: string };
  /** The realtime gateway's emulator, when the stack serves one. */
  readonly realtime?: RunningWebSocketEmulator;
  readonly dynamoDbEndpoint: string;
  readonly admin: { readonly username: string; readonly password: string };
  readonly apiKey: string;
  readonly bootstrapFile: string;
  readonly stop: () => Promise<void>;
}

const readJson = async <T>(path: string): Promise<T | undefined> => {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
};

/**
 * An admin user (password generated once and kept with the bootstrap file, so a persistent database
 * keeps working) and a fresh admin API key per start, created through the same services the API uses.
 */
const bootstrapAdmin = async (
  bootstrapFile: string,
): Promise<{ admin: { username: string; password: string }; apiKey: string; healthApiKey: string }> => {
  const previous = await readJson<{ admin?: { username?: string; password?: string } }>(bootstrapFile);
  const admin = {
    username: 'admin',
    password: previous?.admin?.password ?? randomBytes(18).toString('base64url'),
  };
  const runtime = loadRuntime();
  try {
    await createUser(
      {
        repository: usersFor(runtime),
        hashPassword: (password) => bcrypt.hash(password, runtime.config.passwordBcryptCost),
        newId: runtime.newId,
        clock: runtime.clock,
      },
      { ...admin, roles: ['admin'] },
    );
  } catch (error) {
    if (!(error instanceof UserAlreadyExistsError)) throw error;
  }
  const { apiKeys } = apiKeysFor(runtime);
  const issued = await apiKeys.issue({ name: 'npm start admin', roles: ['admin'] });
  // What `npm run probe:health` uses, as the deployed probe uses its own health-role key.
  const health = await apiKeys.issue({ name: 'npm start health probe', roles: ['health'] });
  return { admin, apiKey: issued.apiKey, healthApiKey: health.apiKey };
};

/**
 * The whole stack on one machine: DynamoDB Local (in memory unless `persist`), the tables from the same
 * definitions the CDK stack uses, development secrets, and every route of `routes` served by its real
 * function module over HTTP, the way the deployed REST API serves it; with `gateway`, the realtime
 * gateway's functions behind the WebSocket emulator and their revocation streams. Writes bootstrap.json
 * (mode 0600) with the URLs, an admin user and an admin API key.
 */
export const runLocalStack = async (options: LocalStackOptions): Promise<RunningLocalStack> => {
  const { localDirectory, region } = options;
  const needsGateway = options.routes
    .filter((route) => route.realtime !== undefined)
    .map((route) => route.id);
  if (needsGateway.length > 0 && options.gateway === undefined) {
    throw new Error(
      `routes ${needsGateway.join(', ')} need the realtime gateway: pass gateway (realtimeGateway)`,
    );
  }
  const secretArn = (id: string) =>
    `arn:aws:secretsmanager:${region}:000000000000:secret:bulwark-local-${id}`;
  await mkdir(localDirectory, { recursive: true, mode: 0o700 });
  const secretsFile = join(localDirectory, 'secrets.json');
  // Development secrets, the verification keys derived from the signing keys (as the rotation does).
  await ensureLocalSecrets(secretsFile, secretArn);

  const dynamoDb: DynamoDbLocal | undefined =
    options.dynamoDbEndpoint === undefined
      ? await startDynamoDbLocal(options.persist ? { dataDirectory: join(localDirectory, 'dynamodb') } : {})
      : undefined;
  const endpoint = dynamoDb?.endpoint ?? options.dynamoDbEndpoint ?? '';
  let stopCopyingLogs = (): void => {};
  let realtime: RunningWebSocketEmulator | undefined;
  let poller: RunningStreamPoller | undefined;
  const client = createDynamoDbClient({ region, endpoint });
  try {
    const tableNames = await createTables(client, options.tablePrefix);

    // The gateway's emulator listens first: the functions read its URLs from their environment.
    const webSocketRoutes = new Map<string, WebSocketLambda>();
    if (options.gateway !== undefined) {
      realtime = await startWebSocketEmulator({
        port: options.gatewayPort ?? 0,
        host: options.host,
        routes: webSocketRoutes,
        // Every message route answers its sender (the CDK stack gives $default a route response).
        returnResponse: new Set(['$default']),
      });
    }

    // Every structured line is kept under logs/ too, where the local triage source reads it.
    const logDirectory = options.environment.TRIAGE_LOCAL_LOG_DIR ?? join(localDirectory, 'logs');
    stopCopyingLogs = await copyStructuredLogs(logDirectory);
    options.setEnvironment({
      TRIAGE_LOCAL_LOG_DIR: logDirectory,
      ENVIRONMENT: options.environment.ENVIRONMENT ?? 'development',
      // DynamoDB Local's JVM answers its first requests slowly, and one process serves every function.
      SECURITY_LIMITER_TIMEOUT_MS: options.environment.SECURITY_LIMITER_TIMEOUT_MS ?? '2000',
      AWS_REGION: region,
      DYNAMODB_ENDPOINT: endpoint,
      LOCAL_SECRETS_FILE: secretsFile,
      ...Object.fromEntries(
        Object.values(tableDefinitions).map((table) => [table.environmentVariable, tableNames[table.id]]),
      ),
      ...Object.fromEntries(
        Object.values(secretDefinitions).map((secret) => [secret.environmentVariable, secretArn(secret.id)]),
      ),
      ...(realtime === undefined
        ? {}
        : { REALTIME_URL: realtime.url, REALTIME_CALLBACK_URL: realtime.callbackUrl }),
    });

    const handlers = new Map<string, LambdaHandler>();
    for (const id of [...options.routes.map((route) => route.id), fallbackRoute.id]) {
      const module = (await import(pathToFileURL(options.handlerModule(id)).href)) as {
        handler: LambdaHandler;
      };
      handlers.set(id, module.handler);
    }

    for (const fn of options.gateway ?? []) {
      const module = (await import(pathToFileURL(options.handlerModule(fn.id)).href)) as {
        handler: WebSocketLambda & StreamLambda;
      };
      if (fn.trigger.kind === 'websocket') webSocketRoutes.set(fn.trigger.routeKey, module.handler);
      else {
        poller = await startStreamPoller({
          endpoint,
          client,
          tableNames,
          sources: fn.trigger.sources,
          handler: module.handler,
          functionName: fn.id,
        });
      }
    }

    // The functions' own settings (the environment is set above): the stage's CORS for the edge answers.
    const { cors } = loadRuntime().config;
    const server = await startLocalServer({
      port: options.port,
      host: options.host,
      handlers,
      routeTable: options.routes,
      edgeHeaders: { ...staticSecurityHeaders, ...edgeCorsHeaders(cors).headers },
      ...(options.exchangeLog === undefined
        ? {}
        : {
            // Written synchronously, so an answer is on disk before the client has it (a stop loses none).
            onExchange: (exchange) =>
              appendFileSync(options.exchangeLog ?? '', `${JSON.stringify(exchange)}\n`),
          }),
    });
    const bootstrapFile = join(localDirectory, 'bootstrap.json');
    const { admin, apiKey, healthApiKey } = await bootstrapAdmin(bootstrapFile);
    const bootstrap = {
      baseUrl: server.url,
      ...(realtime === undefined ? {} : { realtimeUrl: realtime.url }),
      admin,
      apiKey,
      healthApiKey,
    };
    await writeFile(bootstrapFile, `${JSON.stringify(bootstrap, null, 2)}\n`, { mode: 0o600 });
    await chmod(bootstrapFile, 0o600);
    return {
      server,
      ...(realtime === undefined ? {} : { realtime }),
      dynamoDbEndpoint: endpoint,
      admin,
      apiKey,
      bootstrapFile,
      stop: async () => {
        await poller?.stop();
        await realtime?.close();
        server.close();
        server.closeAllConnections();
        stopCopyingLogs();
        client.destroy();
        await dynamoDb?.stop();
      },
    };
  } catch (error) {
    stopCopyingLogs();
    await poller?.stop();
    await realtime?.close();
    client.destroy();
    await dynamoDb?.stop();
    throw error;
  }
};
