import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { createDynamoDbClient } from '../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { datasourceChannel } from '../../shared/domain/realtime/channel.js';
import { mintDatasourceToken } from '../../shared/domain/realtime/datasource-token.js';
import type { ConnectionPrincipal } from '../../shared/domain/realtime/realtime-store.js';
import { encodeRevocationCursor } from '../../shared/domain/realtime/revocation-cursor.js';
import type { Role, User } from '../../shared/domain/users/user.js';
import { REALTIME_SUBPROTOCOL } from '../../shared/gateway/realtime-connect.js';
import type { WebSocketEvent } from '../../shared/gateway/websocket-event.js';
import { createTables } from '../../shared/local/create-tables.js';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { tableDefinitions } from '../../shared/resources/table-definitions.js';
import { routeById } from '../../shared/routes/route-table.js';
import { apiKeysFor } from '../../shared/runtime/api-keys-for.js';
import { realtimeStoreFor } from '../../shared/runtime/realtime-store-for.js';
import { refreshSessionsFor } from '../../shared/runtime/refresh-sessions-for.js';
import { tokenIssuerFor } from '../../shared/runtime/token-issuer-for.js';
import { usersFor } from '../../shared/runtime/users-for.js';
import {
  authBenchRuntime,
  authBenchSecrets,
  benchPepperSecretArn,
  benchSigningSecretArn,
  benchVerificationSecretArn,
} from '../auth/auth-bench-runtime.js';
import { startCountingProxy } from '../auth/counting-proxy.js';
import {
  baselineEnvironment,
  baselineId,
  baselineRequest,
  createProfilesTable,
} from '../baseline/baseline-fixture.js';
import { benchEvent } from '../bench-event.js';
import { benchOrigin } from '../bench-runtime.js';
import { deployedFunctionIds } from '../build-function-bundles.js';
import { createLocalTls } from './local-tls.js';
import type { CallCounters, FirstRequest } from './measure-cold-starts.js';
import { startSecretsManagerStandIn } from './secrets-manager-stand-in.js';

export interface ColdStartStack {
  /** Every child's environment: Lambda's variables, AWS endpoints pointing at the stand-ins, the settings. */
  readonly environment: Readonly<Record<string, string>>;
  /** The first request of each function and of the baseline, fresh per sample. */
  readonly requestFor: (id: string) => (sample: number) => Promise<FirstRequest>;
  readonly counters: CallCounters;
  readonly stop: () => Promise<void>;
}

/** Bulwark's own settings for the children; the rest are Bulwark's defaults, as deployed. */
const bulwarkSettings = {
  ENVIRONMENT: 'development',
  LOG_LEVEL: 'error',
  CORS_ALLOW_ORIGINS: benchOrigin,
  // Every sample is a new process but the limiter's state is in DynamoDB: keep the default window out of
  // the way (health's own 5 per minute is keyed by address, and every sample has its own).
  API_RATE_LIMIT_REQUESTS: '1000000',
  // DynamoDB Local's JVM answers some requests slowly; a timeout must not turn a cold start into a 503.
  SECURITY_LIMITER_TIMEOUT_MS: '2000',
  // The realtime connect limits count per principal and address over a minute: out of the way too.
  REALTIME_CONNECTS_PER_PRINCIPAL: '100000',
  REALTIME_CONNECTS_PER_IP: '100000',
  // Where the WebSocket stage would be. The first requests never reach it: a published event finds no
  // subscriber and a revocation no open connection, so nothing is sent to the management API.
  REALTIME_URL: 'wss://realtime.bench.invalid/bench',
  REALTIME_CALLBACK_URL: 'https://realtime.bench.invalid/bench',
} as const;

/**
 * What Lambda sets for a function (credentials come from these variables there too), no shared AWS
 * config files, and the SDK's standard endpoint variables pointing every client at the stand-ins.
 */
export const lambdaEnvironment = (options: {
  readonly workDir: string;
  readonly dynamoDbEndpoint: string;
  readonly secretsManagerEndpoint: string;
  /** The stand-ins' certificate, when they serve HTTPS. */
  readonly caFile?: string;
}): Record<string, string> => ({
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'ASIABENCHCOLDSTART01',
  AWS_SECRET_ACCESS_KEY: 'bench-cold-start-secret-access-key-0000000',
  AWS_SESSION_TOKEN: 'bench-cold-start-session-token',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_CONFIG_FILE: join(options.workDir, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(options.workDir, 'no-aws-credentials'),
  HOME: options.workDir,
  AWS_ENDPOINT_URL_DYNAMODB: options.dynamoDbEndpoint,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: options.secretsManagerEndpoint,
  ...(options.caFile === undefined ? {} : { NODE_EXTRA_CA_CERTS: options.caFile }),
});

/** A different caller address per function and sample (198.18.0.0/15 is reserved for benchmarks). */
const sourceIpOf = (functionIndex: number, sample: number) => `198.18.${sample % 256}.${functionIndex + 1}`;

/**
 * What every cold start talks to: DynamoDB Local (Amazon's jar) behind a counting proxy with Bulwark's
 * tables and the baseline's, a local Secrets Manager holding a fresh Ed25519 key set, its public JWKS and
 * a pepper, and the data the first requests need (two users, sessions, API keys), made through
 * Bulwark's own services. The children reach both through the SDK's standard endpoint variables
 * (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SECRETS_MANAGER`) and Lambda-style credential
 * variables, so Bulwark's functions and the baseline run their production code paths, secrets included:
 * no `DYNAMODB_ENDPOINT`, no `LOCAL_SECRETS_FILE`.
 */
export const startColdStartStack = async (workDir: string): Promise<ColdStartStack> => {
  const local = await startDynamoDbLocal();
  const cleanups: (() => Promise<void> | void)[] = [() => local.stop()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    // HTTPS like AWS's endpoints, so the children's SDK clients take the path they take on Lambda.
    const tls = await createLocalTls(workDir);
    const proxy = await startCountingProxy(local.endpoint, tls);
    cleanups.push(() => proxy.close());
    const setup = createDynamoDbClient({ region: 'local', endpoint: local.endpoint, maxAttempts: 1 });
    cleanups.push(() => setup.destroy());
    const tables = await createTables(setup, 'bench-cold-');
    const profilesTableName = 'bench-cold-profiles';
    await createProfilesTable(setup, profilesTableName);

    const secrets = await authBenchSecrets();
    const secretsManager = await startSecretsManagerStandIn(secrets, tls);
    cleanups.push(() => secretsManager.close());

    const tableVariables = Object.fromEntries(
      Object.values(tableDefinitions).map((table) => [table.environmentVariable, tables[table.id]]),
    );
    const secretVariables = {
      [secretDefinitions.jwtSigningKeys.environmentVariable]: benchSigningSecretArn,
      [secretDefinitions.jwtVerificationKeys.environmentVariable]: benchVerificationSecretArn,
      [secretDefinitions.apiKeyPepper.environmentVariable]: benchPepperSecretArn,
    };

    // The parent makes the fixtures through Bulwark's services, straight to DynamoDB Local (not counted).
    const runtime = authBenchRuntime(
      secrets,
      { ...bulwarkSettings, AWS_REGION: 'local', DYNAMODB_ENDPOINT: local.endpoint, ...tableVariables },
      (config) => createDynamoDbClient({ region: config.awsRegion, endpoint: config.dynamoDbEndpoint }),
    );
    cleanups.push(() => runtime.dynamoDb().destroy());
    const password = randomBytes(18).toString('base64url');
    const passwordHash = await bcrypt.hash(password, runtime.config.passwordBcryptCost);
    const seedUser = async (username: string, roles: readonly Role[]) => {
      const user: User = {
        id: randomUUID(),
        username,
        email: undefined,
        roles,
        passwordHash,
        createdAt: new Date().toISOString(),
      };
      await usersFor(runtime).create(user);
      const session = await refreshSessionsFor(runtime).start({ userId: user.id, username, roles });
      return { user, session };
    };
    const member = await seedUser('cold.member', ['user']);
    const admin = await seedUser('cold.admin', ['admin']);
    const bearer = async (who: { readonly user: User }, sessionId: string): Promise<string> => {
      const { token } = await tokenIssuerFor(runtime).issuer.issue({
        subject: who.user.id,
        sessionId,
        username: who.user.username,
        roles: who.user.roles,
      });
      return `Bearer ${token}`;
    };
    // Tokens last ACCESS_TOKEN_TTL_SECONDS, so each sample gets a fresh one.
    const memberBearer = () => bearer(member, member.session.sessionId);
    const adminBearer = () => bearer(admin, admin.session.sessionId);
    const keyToUpdate = await apiKeysFor(runtime).apiKeys.issue({
      name: 'cold start update target',
      roles: ['user'],
    });
    const keyToRotate = await apiKeysFor(runtime).apiKeys.issue({
      name: 'cold start rotate target',
      roles: ['user'],
    });

    const gateway = await seedUser('cold.gateway', ['gateway']);
    const gatewayBearer = () => bearer(gateway, gateway.session.sessionId);

    // Realtime: a datasource the member reads (tokens, connections, subscriptions), one the admin
    // publishes to (no subscriber, so the event is sent nowhere), one PUT replaces every sample.
    const realtime = realtimeStoreFor(runtime);
    const datasource = async (id: string) => {
      await realtime.putDatasource({ id, readRoles: ['user'], writeRoles: ['admin'], nowMs: Date.now() });
      return id;
    };
    const readDatasource = await datasource('cold-read');
    const publishDatasource = await datasource('cold-publish');
    const putDatasourceId = await datasource('cold-put');
    const memberPrincipal: ConnectionPrincipal = {
      kind: 'user',
      id: member.user.id,
      roles: member.user.roles,
      sessionId: member.session.sessionId,
    };
    const datasourceToken = async () =>
      (
        await mintDatasourceToken(
          { store: realtime, clock: runtime.clock },
          { principal: memberPrincipal, datasourceId: readDatasource, lifetimeSeconds: 60 },
        )
      ).token;
    // An open connection of the member on the read datasource, as $connect records it.
    const openConnection = async (sample: number): Promise<string> => {
      const connectionId = `cold${sample}${randomBytes(6).toString('hex')}=`;
      const nowMs = Date.now();
      const opened = await realtime.openConnection({
        connection: {
          connectionId,
          principal: memberPrincipal,
          datasourceId: readDatasource,
          clientIp: '198.18.200.1',
          connectedAtMs: nowMs,
        },
        expiresAtSeconds: Math.floor(nowMs / 1000) + 3_600,
      });
      if (opened !== 'opened') throw new Error(`the bench could not open a connection: ${String(opened)}`);
      return connectionId;
    };
    const webSocketEvent = (
      routeKey: '$connect' | '$disconnect' | '$default',
      connectionId: string,
      sourceIp: string,
      extra: Partial<WebSocketEvent> = {},
    ): WebSocketEvent => ({
      requestContext: {
        routeKey,
        eventType:
          routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
        connectionId,
        requestId: randomUUID(),
        connectedAt: Date.now(),
        requestTimeEpoch: Date.now(),
        domainName: 'realtime.bench.invalid',
        stage: 'bench',
        apiId: 'abc123def4',
        identity: { sourceIp, userAgent: 'bench' },
      },
      isBase64Encoded: false,
      ...extra,
    });

    // The triage function reads the local log source (a folder of structured log lines) in place of
    // Logs Insights, which has no local stand-in: a handful of error lines within its default window.
    const triageLogDir = join(workDir, 'triage-logs');
    await mkdir(triageLogDir, { recursive: true });
    const logLines = Array.from({ length: 20 }, (_, index) =>
      JSON.stringify({
        level: 'ERROR',
        message: index % 2 === 0 ? 'dependency unavailable' : 'request failed',
        timestamp: new Date(Date.now() - index * 1_000).toISOString(),
        service: 'bulwark',
        route: index % 2 === 0 ? 'login' : 'current-user',
        error: { name: 'DependencyUnavailableError', message: `dynamodb timed out after ${300 + index} ms` },
      }),
    );
    await writeFile(join(triageLogDir, 'bulwark.jsonl'), `${logLines.join('\n')}\n`);

    const functionIds = deployedFunctionIds();
    const json = (value: unknown) => JSON.stringify(value);
    const route = (id: string, sample: number) => {
      const { method, path } = routeById(id);
      return { method, path, sequence: sample, sourceIp: sourceIpOf(functionIds.indexOf(id), sample) };
    };
    const jsonHeaders = (authorization?: string) => ({
      'Content-Type': 'application/json',
      ...(authorization === undefined ? {} : { Authorization: authorization }),
    });
    const withKey = (id: string, sample: number, keyId: string) => ({
      ...route(id, sample),
      path: routeById(id).path.replace('{key_id}', keyId),
      resource: routeById(id).path,
      pathParameters: { key_id: keyId },
    });

    const withDatasource = (id: string, sample: number, datasourceId: string) => ({
      ...route(id, sample),
      path: routeById(id).path.replace('{datasource_id}', datasourceId),
      resource: routeById(id).path,
      pathParameters: { datasource_id: datasourceId },
    });

    const withUser = (id: string, sample: number, username: string) => ({
      ...route(id, sample),
      path: routeById(id).path.replace('{username}', username),
      resource: routeById(id).path,
      pathParameters: { username },
    });
    // A user per sample for the routes that change or remove one.
    const freshUser = async (sample: number, label: string) =>
      (await seedUser(`cold.${label}.${sample}.${randomUUID().slice(0, 8)}`, ['user'])).user.username;

    const requests: Record<string, (sample: number) => Promise<FirstRequest>> = {
      'health-full': async (sample) => ({
        event: benchEvent({
          ...route('health-full', sample),
          headers: { Authorization: await adminBearer() },
        }),
        expectedStatus: 200,
      }),
      'rotate-api-key': async (sample) => ({
        event: benchEvent({
          ...withKey('rotate-api-key', sample, keyToRotate.key.key_id),
          headers: { Authorization: await adminBearer() },
        }),
        expectedStatus: 200,
      }),
      'list-users': async (sample) => ({
        event: benchEvent({
          ...route('list-users', sample),
          headers: { Authorization: await adminBearer() },
        }),
        expectedStatus: 200,
      }),
      'show-user': async (sample) => ({
        event: benchEvent({
          ...withUser('show-user', sample, member.user.username),
          headers: { Authorization: await adminBearer() },
        }),
        expectedStatus: 200,
      }),
      'update-user': async (sample) => ({
        event: benchEvent({
          ...withUser('update-user', sample, await freshUser(sample, 'update')),
          headers: jsonHeaders(await adminBearer()),
          body: json({ roles: ['user', 'admin'] }),
        }),
        expectedStatus: 200,
      }),
      'set-user-password': async (sample) => ({
        event: benchEvent({
          ...withUser('set-user-password', sample, await freshUser(sample, 'password')),
          headers: jsonHeaders(await adminBearer()),
          body: json({ password: randomBytes(18).toString('base64url') }),
        }),
        expectedStatus: 200,
      }),
      'revoke-user-sessions': async (sample) => ({
        event: benchEvent({
          ...withUser('revoke-user-sessions', sample, await freshUser(sample, 'revoke')),
          headers: { Authorization: await adminBearer() },
        }),
        expectedStatus: 200,
      }),
      'delete-user': async (sample) => ({
        event: benchEvent({
          ...withUser('delete-user', sample, await freshUser(sample, 'delete')),
          headers: { Authorization: await adminBearer() },
        }),
        expectedStatus: 204,
      }),
      health: async (sample) => ({ event: benchEvent(route('health', sample)), expectedStatus: 200 }),
      jwks: async (sample) => ({ event: benchEvent(route('jwks', sample)), expectedStatus: 200 }),
      openapi: async (sample) => ({ event: benchEvent(route('openapi', sample)), expectedStatus: 200 }),
      login: async (sample) => ({
        event: benchEvent({
          ...route('login', sample),
          headers: jsonHeaders(),
          body: json({ username: member.user.username, password }),
        }),
        expectedStatus: 200,
      }),
      'refresh-token': async (sample) => {
        const session = await refreshSessionsFor(runtime).start({
          userId: member.user.id,
          username: member.user.username,
          roles: member.user.roles,
        });
        return {
          event: benchEvent({
            ...route('refresh-token', sample),
            headers: jsonHeaders(),
            body: json({ refresh_token: session.refreshToken }),
          }),
          expectedStatus: 200,
        };
      },
      logout: async (sample) => {
        const session = await refreshSessionsFor(runtime).start({
          userId: member.user.id,
          username: member.user.username,
          roles: member.user.roles,
        });
        return {
          event: benchEvent({
            ...route('logout', sample),
            headers: jsonHeaders(await bearer(member, session.sessionId)),
          }),
          expectedStatus: 204,
        };
      },
      'current-user': async (sample) => ({
        event: benchEvent({
          ...route('current-user', sample),
          headers: { Authorization: await memberBearer() },
        }),
        expectedStatus: 200,
      }),
      'create-user': async (sample) => ({
        event: benchEvent({
          ...route('create-user', sample),
          headers: jsonHeaders(await adminBearer()),
          body: json({
            username: `cold.new.${sample}.${randomUUID().slice(0, 8)}`,
            password: randomBytes(18).toString('base64url'),
            roles: ['user'],
          }),
        }),
        expectedStatus: 201,
      }),
      'create-api-key': async (sample) => ({
        event: benchEvent({
          ...route('create-api-key', sample),
          headers: jsonHeaders(await adminBearer()),
          body: json({ name: `cold start key ${sample}`, roles: ['user'] }),
        }),
        expectedStatus: 201,
      }),
      'list-api-keys': async (sample) => ({
        event: benchEvent({
          ...route('list-api-keys', sample),
          headers: { Authorization: await adminBearer() },
        }),
        expectedStatus: 200,
      }),
      'update-api-key': async (sample) => ({
        event: benchEvent({
          ...withKey('update-api-key', sample, keyToUpdate.key.key_id),
          headers: jsonHeaders(await adminBearer()),
          body: json({ roles: sample % 2 === 0 ? ['user'] : ['user', 'admin'] }),
        }),
        expectedStatus: 200,
      }),
      'revoke-api-key': async (sample) => {
        const issued = await apiKeysFor(runtime).apiKeys.issue({
          name: `cold start revoke ${sample}`,
          roles: ['user'],
        });
        return {
          event: benchEvent({
            ...withKey('revoke-api-key', sample, issued.key.key_id),
            headers: { Authorization: await adminBearer() },
          }),
          expectedStatus: 204,
        };
      },
      // Its own limit is 3 calls a minute per principal: a fresh admin per sample stays under it.
      'summarize-errors': async (sample) => {
        const triageAdmin = await seedUser(`cold.triage.${sample}.${randomUUID().slice(0, 8)}`, ['admin']);
        return {
          event: benchEvent({
            ...route('summarize-errors', sample),
            headers: jsonHeaders(await bearer(triageAdmin, triageAdmin.session.sessionId)),
            body: json({}),
          }),
          expectedStatus: 200,
        };
      },
      'put-datasource': async (sample) => ({
        event: benchEvent({
          ...withDatasource('put-datasource', sample, putDatasourceId),
          headers: jsonHeaders(await adminBearer()),
          body: json({ read_roles: ['user'], write_roles: sample % 2 === 0 ? ['admin'] : ['admin', 'user'] }),
        }),
        expectedStatus: 200,
      }),
      'list-datasources': async (sample) => ({
        event: benchEvent({
          ...route('list-datasources', sample),
          headers: { Authorization: await adminBearer() },
        }),
        expectedStatus: 200,
      }),
      'delete-datasource': async (sample) => ({
        event: benchEvent({
          ...withDatasource(
            'delete-datasource',
            sample,
            await datasource(`cold-delete-${sample}-${randomBytes(3).toString('hex')}`),
          ),
          headers: { Authorization: await adminBearer() },
        }),
        expectedStatus: 204,
      }),
      'create-datasource-token': async (sample) => ({
        event: benchEvent({
          ...withDatasource('create-datasource-token', sample, readDatasource),
          headers: { Authorization: await memberBearer() },
        }),
        expectedStatus: 200,
      }),
      'publish-datasource-event': async (sample) => ({
        event: benchEvent({
          ...withDatasource('publish-datasource-event', sample, publishDatasource),
          headers: jsonHeaders(await adminBearer()),
          body: json({ kind: 'price', symbol: 'BLWK', value: 100 + sample }),
        }),
        expectedStatus: 202,
      }),
      'introspect-datasource-token': async (sample) => ({
        event: benchEvent({
          ...route('introspect-datasource-token', sample),
          headers: jsonHeaders(await gatewayBearer()),
          body: json({ token: await datasourceToken() }),
        }),
        expectedStatus: 200,
        expectedBody: '"active":true',
      }),
      // A self-hosted gateway's poll: the cursor of its previous one, a minute ago.
      'list-revoked-tokens': async (sample) => ({
        event: benchEvent({
          ...route('list-revoked-tokens', sample),
          headers: { Authorization: await gatewayBearer() },
          query: { after: encodeRevocationCursor({ atMs: Date.now() - 60_000, kind: '', id: '' }) },
        }),
        expectedStatus: 200,
      }),
      'consume-rate-limit': async (sample) => ({
        event: benchEvent({
          ...route('consume-rate-limit', sample),
          headers: jsonHeaders(await gatewayBearer()),
          body: json({ key: `ip:${sourceIpOf(functionIds.length + 1, sample)}`, policy: 'connect_ip' }),
        }),
        expectedStatus: 200,
      }),
      // The gateway's functions: a $connect with a fresh datasource token, a subscribe on an open
      // connection, a $disconnect of one, and a stream batch holding one session's revocation marker.
      'realtime-connect': async (sample) => ({
        event: webSocketEvent(
          '$connect',
          `cold${sample}${randomBytes(6).toString('hex')}=`,
          sourceIpOf(functionIds.indexOf('realtime-connect'), sample),
          { headers: { 'Sec-WebSocket-Protocol': `${REALTIME_SUBPROTOCOL}, ${await datasourceToken()}` } },
        ),
        expectedStatus: 200,
      }),
      'realtime-message': async (sample) => ({
        event: webSocketEvent(
          '$default',
          await openConnection(sample),
          sourceIpOf(functionIds.indexOf('realtime-message'), sample),
          { body: json({ action: 'subscribe', channel: datasourceChannel(readDatasource), id: 'm1' }) },
        ),
        expectedStatus: 200,
        expectedBody: '"subscribed"',
      }),
      'realtime-disconnect': async (sample) => ({
        event: webSocketEvent(
          '$disconnect',
          await openConnection(sample),
          sourceIpOf(functionIds.indexOf('realtime-disconnect'), sample),
        ),
        expectedStatus: 200,
      }),
      'realtime-revocations': async () => {
        const session = await refreshSessionsFor(runtime).start({
          userId: member.user.id,
          username: member.user.username,
          roles: member.user.roles,
        });
        await refreshSessionsFor(runtime).revokeSession(session.sessionId, 'logout');
        return {
          event: {
            Records: [
              {
                eventID: randomBytes(16).toString('hex'),
                eventName: 'INSERT',
                eventVersion: '1.1',
                eventSource: 'aws:dynamodb',
                awsRegion: 'eu-west-1',
                eventSourceARN: `arn:aws:dynamodb:eu-west-1:123456789012:table/${tables.sessions}/stream/2026-01-01T00:00:00.000`,
                dynamodb: {
                  ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
                  Keys: { pk: { S: `revoked#${session.sessionId}` } },
                  SequenceNumber: String(Date.now()),
                  SizeBytes: 64,
                  StreamViewType: 'KEYS_ONLY',
                },
              },
            ],
          },
          expectedStatus: undefined,
        };
      },
      // The fallback's main traffic: a CORS preflight of a known route.
      'route-fallback': async (sample) => ({
        event: benchEvent({
          method: 'OPTIONS',
          path: routeById('current-user').path,
          sequence: sample,
          sourceIp: sourceIpOf(functionIds.indexOf('route-fallback'), sample),
          headers: {
            'Access-Control-Request-Method': 'GET',
            'Access-Control-Request-Headers': 'authorization',
          },
        }),
        expectedStatus: 204,
      }),
      [baselineId]: async (sample) =>
        baselineRequest({
          authorization: await memberBearer(),
          sample,
          sourceIp: sourceIpOf(functionIds.length, sample),
        }),
    };

    const environment = {
      ...lambdaEnvironment({
        workDir,
        dynamoDbEndpoint: proxy.endpoint,
        secretsManagerEndpoint: secretsManager.endpoint,
        caFile: tls.caFile,
      }),
      ...bulwarkSettings,
      ...tableVariables,
      ...secretVariables,
      TRIAGE_LOCAL_LOG_DIR: triageLogDir,
      ...baselineEnvironment({
        profilesTableName,
        publicKeysSecretId: benchVerificationSecretArn,
        allowedOrigin: benchOrigin,
      }),
    };

    return {
      environment,
      requestFor: (id) => {
        const request = requests[id];
        if (request === undefined) {
          throw new Error(
            `no representative first request for "${id}": add one in bench/cold-start/cold-start-stack.ts`,
          );
        }
        return request;
      },
      counters: { secretsManager: secretsManager.calls, dynamoDb: proxy.total },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
