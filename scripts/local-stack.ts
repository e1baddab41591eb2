/**
 * `npm start`: the whole stack on one machine. DynamoDB Local (in memory unless BULWARK_LOCAL_PERSIST=1),
 * the tables from the same definitions the CDK stack uses, development secrets in .local/, and every
 * route of the route table served by the real function modules at http://localhost:3000.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import bcrypt from 'bcryptjs';
import { createDynamoDbClient } from '../shared/adapters/dynamodb/create-dynamodb-client.js';
import { createUser } from '../shared/domain/users/create-user.js';
import { UserAlreadyExistsError } from '../shared/errors/user-already-exists-error.js';
import { createTables } from '../shared/local/create-tables.js';
import {
  type DynamoDbLocal,
  FAST_START_JAVA_TOOL_OPTIONS,
  startDynamoDbLocal,
} from '../shared/local/dynamodb-local.js';
import { ensureLocalSecrets } from '../shared/local/ensure-local-secrets.js';
import { type LambdaHandler, startLocalServer } from '../shared/local/local-server.js';
import { secretDefinitions } from '../shared/resources/secret-definitions.js';
import { tableDefinitions } from '../shared/resources/table-definitions.js';
import { fallbackRoute, functionEntry, routes } from '../shared/routes/route-table.js';
import { apiKeysFor } from '../shared/runtime/api-keys-for.js';
import { loadRuntime } from '../shared/runtime/load-runtime.js';
import { usersFor } from '../shared/runtime/users-for.js';

// The JVM of DynamoDB Local starts faster with these; an operator's own setting wins.
process.env.JAVA_TOOL_OPTIONS ??= FAST_START_JAVA_TOOL_OPTIONS;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const localDirectory = resolve(process.env.BULWARK_LOCAL_DIR ?? join(root, '.local'));
const port = Number(process.env.PORT ?? 3000);
const persist = process.env.BULWARK_LOCAL_PERSIST === '1';
const existingDynamoDb = process.env.BULWARK_LOCAL_DYNAMODB_ENDPOINT;
const tablePrefix = process.env.BULWARK_LOCAL_TABLE_PREFIX ?? 'bulwark-local-';
const region = process.env.AWS_REGION ?? 'us-east-1';

const secretArn = (id: string) => `arn:aws:secretsmanager:${region}:000000000000:secret:bulwark-local-${id}`;

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
): Promise<{ admin: { username: string; password: string }; apiKey: string }> => {
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
  const issued = await apiKeysFor(runtime).apiKeys.issue({ name: 'npm start admin', roles: ['admin'] });
  return { admin, apiKey: issued.apiKey };
};

const main = async (): Promise<void> => {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('PORT must be a port number');
  await mkdir(localDirectory, { recursive: true, mode: 0o700 });
  const secretsFile = join(localDirectory, 'secrets.json');
  // Development secrets, the verification keys derived from the signing keys (as the rotation does).
  await ensureLocalSecrets(secretsFile, secretArn);

  const dynamoDb: DynamoDbLocal | undefined =
    existingDynamoDb === undefined
      ? await startDynamoDbLocal(persist ? { dataDirectory: join(localDirectory, 'dynamodb') } : {})
      : undefined;
  const endpoint = dynamoDb?.endpoint ?? existingDynamoDb ?? '';
  const stopDynamoDb = async () => dynamoDb?.stop();
  process.on('exit', () => dynamoDb?.stop());

  try {
    const client = createDynamoDbClient({ region, endpoint });
    const tableNames = await createTables(client, tablePrefix);
    client.destroy();

    // The functions read their configuration from the environment exactly as on Lambda.
    process.env.ENVIRONMENT ??= 'development';
    // DynamoDB Local's JVM answers its first requests slowly; Lambda's short default would fail them.
    process.env.SECURITY_LIMITER_TIMEOUT_MS ??= '2000';
    process.env.AWS_REGION = region;
    process.env.DYNAMODB_ENDPOINT = endpoint;
    process.env.LOCAL_SECRETS_FILE = secretsFile;
    for (const table of Object.values(tableDefinitions))
      process.env[table.environmentVariable] = tableNames[table.id];
    for (const secret of Object.values(secretDefinitions))
      process.env[secret.environmentVariable] = secretArn(secret.id);

    const handlers = new Map<string, LambdaHandler>();
    for (const id of [...routes.map((route) => route.id), fallbackRoute.id]) {
      const module = (await import(pathToFileURL(join(root, functionEntry(id))).href)) as {
        handler: LambdaHandler;
      };
      handlers.set(id, module.handler);
    }

    const server = await startLocalServer({
      port,
      host: process.env.HOST ?? '127.0.0.1',
      handlers,
      routeTable: routes,
    });
    const bootstrapFile = join(localDirectory, 'bootstrap.json');
    const { admin, apiKey } = await bootstrapAdmin(bootstrapFile);
    await writeFile(bootstrapFile, `${JSON.stringify({ baseUrl: server.url, admin, apiKey }, null, 2)}\n`, {
      mode: 0o600,
    });
    await chmod(bootstrapFile, 0o600);

    console.log(`Bulwark local stack listening on ${server.url}`);
    console.log(
      `  DynamoDB Local: ${endpoint}${persist ? ` (data kept in ${join(localDirectory, 'dynamodb')})` : ' (in memory)'}`,
    );
    console.log(`  Admin user: ${admin.username} / ${admin.password}`);
    console.log(`  Admin API key (header ${process.env.API_AUTH_HEADER ?? 'x-api-key'}): ${apiKey}`);
    console.log(`  Written to ${bootstrapFile} (mode 0600). Ctrl-C stops everything.`);
    console.log(`  Try: curl -s ${server.url}/health`);

    const shutdown = async () => {
      server.close();
      server.closeAllConnections();
      await stopDynamoDb();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (error) {
    await stopDynamoDb();
    throw error;
  }
};

main().catch((error: unknown) => {
  console.error(
    `bulwark: local stack failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
