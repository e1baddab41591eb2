import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { dynamoDbRateLimitStore } from '../../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';
import { dynamoDbRealtimeStore } from '../../../shared/adapters/dynamodb/dynamodb-realtime-store.js';
import {
  datasourceTokenHash,
  mintDatasourceToken,
} from '../../../shared/domain/realtime/datasource-token.js';
import type { ConnectionPrincipal, RealtimeStore } from '../../../shared/domain/realtime/realtime-store.js';
import { REALTIME_SUBPROTOCOL, realtimeConnect } from '../../../shared/gateway/realtime-connect.js';
import { realtimeMessage } from '../../../shared/gateway/realtime-message.js';
import type { WebSocketEvent, WebSocketResult } from '../../../shared/gateway/websocket-event.js';
import type { TableId } from '../../../shared/resources/table-definitions.js';
import { tableDefinitions } from '../../../shared/resources/table-definitions.js';
import { realtimeGateway } from '../../../shared/routes/realtime-gateway.js';
import { apiKeysFor } from '../../../shared/runtime/api-keys-for.js';
import { refreshSessionsFor } from '../../../shared/runtime/refresh-sessions-for.js';
import type { Stores } from '../../../shared/runtime/runtime.js';
import { createTestTables } from '../../support/dynamodb-test-tables.js';
import { manualClock, type TestRuntime, testRuntime } from '../../support/test-runtime.js';

/*
 * The realtime gateway's $connect and message functions on DynamoDB Local, with every store real (the
 * realtime table, the limiter, sessions, API keys): single use, the connect and subscribe limits under
 * concurrent callers, and revocations and deletions that commit before a connect.
 */

// In the future: DynamoDB Local deletes items whose TTL is past on the wall clock.
const t0 = Date.UTC(2031, 4, 5, 10, 0, 5);
const context = { awsRequestId: 'req-1' } as Context;

let client: DynamoDBClient;
let tables: Record<TableId, string>;

beforeAll(async () => {
  ({ client, tables } = await createTestTables());
});
afterAll(() => client.destroy());

type Handler = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult>;

interface Gateway {
  readonly runtime: TestRuntime;
  readonly store: RealtimeStore;
  readonly connect: Handler;
  readonly message: Handler;
}

const gatewayWith = async (
  env: Record<string, string> = {},
  stores: Partial<Stores> = {},
): Promise<Gateway> => {
  const runtime = testRuntime(
    {
      ...Object.fromEntries(
        Object.values(tableDefinitions).map((table) => [table.environmentVariable, tables[table.id]]),
      ),
      SECURITY_LIMITER_TIMEOUT_MS: '5000',
      ...env,
    },
    {
      clock: manualClock(t0),
      dynamoDb: () => client,
      // No in-memory stand-ins: every store is the DynamoDB adapter.
      stores: {
        rateLimits: undefined,
        sessions: undefined,
        apiKeys: undefined,
        ...stores,
      } as unknown as Partial<Stores>,
    },
  );
  const store = dynamoDbRealtimeStore(client, {
    realtime: tables.realtime,
    sessions: tables.sessions,
    apiKeys: tables.apiKeys,
  });
  const withStore = { ...runtime, stores: { ...runtime.stores, realtime: store } } as TestRuntime;
  return {
    runtime: withStore,
    store,
    connect: await realtimeConnect(realtimeGateway).build(withStore),
    message: await realtimeMessage(realtimeGateway).build(withStore),
  };
};

const uniqueId = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

const connectEvent = (
  token: string,
  options: { connectionId?: string; sourceIp?: string } = {},
): WebSocketEvent => ({
  requestContext: {
    routeKey: '$connect',
    eventType: 'CONNECT',
    connectionId: options.connectionId ?? `${randomBytes(16).toString('base64')}`,
    identity: { sourceIp: options.sourceIp ?? '198.51.100.7' },
  },
  headers: { 'Sec-WebSocket-Protocol': `${REALTIME_SUBPROTOCOL}, ${token}` },
});

const messageEvent = (connectionId: string, body: unknown): WebSocketEvent => ({
  requestContext: {
    routeKey: '$default',
    eventType: 'MESSAGE',
    connectionId,
    identity: { sourceIp: '198.51.100.7' },
  },
  body: JSON.stringify(body),
});

const frameOf = (result: WebSocketResult) =>
  JSON.parse(result.body ?? '{}') as {
    type: string;
    status?: number;
    channel?: string;
    problem?: { type: string };
  };

const userPrincipal = (sessionId?: string): ConnectionPrincipal => ({
  kind: 'user',
  id: uniqueId('user'),
  roles: ['user'],
  ...(sessionId === undefined ? {} : { sessionId }),
});

const datasource = async (gateway: Gateway): Promise<string> => {
  const id = uniqueId('ds');
  await gateway.store.putDatasource({ id, readRoles: ['user'], writeRoles: ['admin'], nowMs: t0 });
  return id;
};

const mint = async (gateway: Gateway, principal: ConnectionPrincipal, datasourceId: string) =>
  (
    await mintDatasourceToken(
      { store: gateway.store, clock: gateway.runtime.clock },
      { principal, datasourceId, lifetimeSeconds: 30 },
    )
  ).token;

describe('datasource tokens on DynamoDB Local', () => {
  it('connect once: of 10 concurrent connects with one token exactly one opens, the others get 401', async () => {
    const gateway = await gatewayWith();
    const token = await mint(gateway, userPrincipal(), await datasource(gateway));
    const results = await Promise.all(
      Array.from({ length: 10 }, () => gateway.connect(connectEvent(token), context)),
    );
    const statuses = results.map((result) => result.statusCode).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(401)]);
    const opened = results.find((result) => result.statusCode === 200);
    // The gateway echoes bulwark.v1 and never the token, in no answer.
    expect(opened?.headers).toEqual({ 'Sec-WebSocket-Protocol': REALTIME_SUBPROTOCOL });
    for (const result of results) expect(JSON.stringify(result)).not.toContain(token);
  });

  it('refuses a token past its lifetime with 401, even though its item is still in the table', async () => {
    const gateway = await gatewayWith();
    const token = await mint(gateway, userPrincipal(), await datasource(gateway));
    gateway.runtime.clock.advanceMs(31_000);
    expect((await gateway.connect(connectEvent(token), context)).statusCode).toBe(401);
  });

  it('refuses the token of a session revoked before the connect (401) and of a deleted datasource (403)', async () => {
    const gateway = await gatewayWith();
    const sessions = refreshSessionsFor(gateway.runtime);
    const started = await sessions.start({ userId: uniqueId('user'), username: 'alice', roles: ['user'] });
    const id = await datasource(gateway);
    const revokedToken = await mint(gateway, userPrincipal(started.sessionId), id);
    await sessions.revokeSession(started.sessionId, 'logout');
    expect((await gateway.connect(connectEvent(revokedToken), context)).statusCode).toBe(401);

    const orphanToken = await mint(gateway, userPrincipal(), id);
    await gateway.store.deleteDatasource(id);
    expect((await gateway.connect(connectEvent(orphanToken), context)).statusCode).toBe(403);
  });
});

describe('API-key principals on DynamoDB Local', () => {
  // Found by a white-box review: a key's open socket kept the roles of the token's mint, and a token
  // outlived its key's expiry. The key's record decides, in the same transaction as the write.
  const keyWithToken = async (gateway: Gateway, options: { expiresAt?: string } = {}) => {
    const { apiKeys } = apiKeysFor(gateway.runtime);
    const issued = await apiKeys.issue({ name: uniqueId('feed'), roles: ['user'], ...options });
    const id = await datasource(gateway);
    const principal: ConnectionPrincipal = { kind: 'api_key', id: issued.key.key_id, roles: ['user'] };
    return {
      apiKeys,
      keyId: issued.key.key_id,
      apiKey: issued.apiKey,
      id,
      token: await mint(gateway, principal, id),
    };
  };

  it('refuses at subscribe a key that no longer holds a read role of the datasource (403 error frame), and admits it again once it does', async () => {
    const gateway = await gatewayWith();
    const { apiKeys, keyId, id, token } = await keyWithToken(gateway);
    const connectionId = uniqueId('conn');
    expect((await gateway.connect(connectEvent(token, { connectionId }), context)).statusCode).toBe(200);
    await apiKeys.update(keyId, { roles: ['health'] });
    const subscribe = { action: 'subscribe', channel: `datasource:${id}` };
    const refused = frameOf(await gateway.message(messageEvent(connectionId, subscribe), context));
    expect(refused).toMatchObject({ type: 'error', status: 403 });
    expect((await gateway.store.getConnection(connectionId))?.channels).toEqual([]);
    await apiKeys.update(keyId, { roles: ['user', 'health'] });
    const admitted = frameOf(await gateway.message(messageEvent(connectionId, subscribe), context));
    expect(admitted).toMatchObject({ type: 'subscribed', channel: `datasource:${id}` });
  });

  it('refuses the token of a key that expired between the mint and the connect with 401', async () => {
    const gateway = await gatewayWith();
    const { apiKeys, apiKey, token } = await keyWithToken(gateway, {
      expiresAt: new Date(t0 + 10_000).toISOString(),
    });
    gateway.runtime.clock.advanceMs(20_000);
    await expect(apiKeys.verify(apiKey)).rejects.toMatchObject({ reason: 'expired' });
    expect((await gateway.connect(connectEvent(token), context)).statusCode).toBe(401);
  });
});

describe('connect limits on DynamoDB Local', () => {
  it('admits exactly REALTIME_CONNECTS_PER_PRINCIPAL of 8 concurrent connects of one principal; the rest get 429 with Retry-After', async () => {
    const gateway = await gatewayWith({ REALTIME_CONNECTS_PER_PRINCIPAL: '3' });
    const principal = userPrincipal();
    const id = await datasource(gateway);
    const tokens = await Promise.all(Array.from({ length: 8 }, () => mint(gateway, principal, id)));
    const results = await Promise.all(
      tokens.map((token, index) =>
        gateway.connect(connectEvent(token, { sourceIp: `198.51.100.${index + 10}` }), context),
      ),
    );
    const refused = results.filter((result) => result.statusCode === 429);
    expect(results.filter((result) => result.statusCode === 200)).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const result of refused) expect(Number(result.headers?.['Retry-After'])).toBeGreaterThan(0);
    expect(
      gateway.runtime.counted().filter((metric) => metric.name === 'realtime_limit_reject'),
    ).toHaveLength(5);
  });

  it('admits exactly REALTIME_CONNECTS_PER_IP of concurrent connects from one address, whoever connects', async () => {
    const gateway = await gatewayWith({ REALTIME_CONNECTS_PER_IP: '2' });
    const id = await datasource(gateway);
    const tokens = await Promise.all(Array.from({ length: 6 }, () => mint(gateway, userPrincipal(), id)));
    const results = await Promise.all(
      tokens.map((token) => gateway.connect(connectEvent(token, { sourceIp: '203.0.113.9' }), context)),
    );
    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 200, 429, 429, 429, 429]);
  });
});

describe('a limiter backend that cannot answer', () => {
  /** The rate-limit table behind an address nothing listens on: every limiter call fails for real. */
  const unreachableLimiter = () => {
    const dead = createDynamoDbClient({
      region: 'local',
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
      requestTimeoutMs: 500,
    });
    return { store: dynamoDbRateLimitStore(dead, tables.rateLimits), dead };
  };

  it('refuses connects with 503 and Retry-After under fail-closed (the default), before the token is spent', async () => {
    const limiter = unreachableLimiter();
    try {
      const gateway = await gatewayWith({}, { rateLimits: limiter.store });
      const token = await mint(gateway, userPrincipal(), await datasource(gateway));
      const refused = await gateway.connect(connectEvent(token), context);
      expect(refused.statusCode).toBe(503);
      expect(Number(refused.headers?.['Retry-After'])).toBeGreaterThan(0);
      expect(gateway.runtime.counted().map((metric) => metric.name)).toEqual(
        expect.arrayContaining(['realtime_limit_backend_error', 'realtime_limit_fail_closed']),
      );
      // The token is still unused: the limiter refused before the single-use write.
      expect(await gateway.store.findToken(datasourceTokenHash(token))).toBeDefined();
    } finally {
      limiter.dead.destroy();
    }
  });

  it('admits connects under REALTIME_LIMITER_FAILURE_MODE=fail-open, counting them and raising the limiter_fail_open guard rail', async () => {
    const limiter = unreachableLimiter();
    try {
      const gateway = await gatewayWith(
        { REALTIME_LIMITER_FAILURE_MODE: 'fail-open' },
        { rateLimits: limiter.store },
      );
      const token = await mint(gateway, userPrincipal(), await datasource(gateway));
      expect((await gateway.connect(connectEvent(token), context)).statusCode).toBe(200);
      expect(gateway.runtime.counted().map((metric) => metric.name)).toContain('realtime_limit_fail_open');
      // As the API's limiter does (guardrails runbook): an operator hears of requests admitted unlimited.
      const raised = gateway.runtime.logs
        .entries()
        .filter((entry) => entry.message === 'guard-rail event')
        .map((entry) => entry.event as { kind: string; subject: string })
        .filter((event) => event.kind === 'limiter_fail_open');
      expect(raised.map((event) => event.subject)).toEqual(
        expect.arrayContaining(['realtime:connect_ip', 'realtime:connect_principal']),
      );
    } finally {
      limiter.dead.destroy();
    }
  });
});

describe('subscriptions on DynamoDB Local', () => {
  const openConnection = async (gateway: Gateway, sourceIp = '192.0.2.44') => {
    const id = await datasource(gateway);
    const connectionId = randomBytes(16).toString('base64');
    const token = await mint(gateway, userPrincipal(), id);
    expect((await gateway.connect(connectEvent(token, { connectionId, sourceIp }), context)).statusCode).toBe(
      200,
    );
    return { connectionId, datasourceId: id };
  };

  it('keeps a connection to REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION under concurrent subscribes', async () => {
    const gateway = await gatewayWith({ REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3' });
    const { connectionId } = await openConnection(gateway);
    const frames = (
      await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          gateway.message(
            messageEvent(connectionId, { action: 'subscribe', channel: `public:room-${index}` }),
            context,
          ),
        ),
      )
    ).map(frameOf);
    expect(frames.filter((frame) => frame.type === 'subscribed')).toHaveLength(3);
    const refused = frames.filter((frame) => frame.type === 'error');
    expect(refused).toHaveLength(5);
    for (const frame of refused) expect(frame.problem?.type).toBe('urn:bulwark:problem:subscription-limit');
    expect((await gateway.store.getConnection(connectionId))?.channels).toHaveLength(3);
  });

  it('limits public subscribes per client address (the one stored at $connect) with 429 error frames', async () => {
    const gateway = await gatewayWith({ REALTIME_PUBLIC_SUBSCRIBES_PER_IP: '2' });
    const first = await openConnection(gateway, '192.0.2.77');
    const second = await openConnection(gateway, '192.0.2.77');
    const answers = [];
    for (const [index, connectionId] of [
      first.connectionId,
      second.connectionId,
      first.connectionId,
    ].entries()) {
      answers.push(
        frameOf(
          await gateway.message(
            messageEvent(connectionId, { action: 'subscribe', channel: `public:feed-${index}` }),
            context,
          ),
        ),
      );
    }
    expect(answers.map((frame) => frame.type)).toEqual(['subscribed', 'subscribed', 'error']);
    expect(answers[2]).toMatchObject({
      status: 429,
      problem: { type: 'urn:bulwark:problem:quota-exceeded' },
    });
    // Its own datasource is not a public channel: no address limit applies.
    expect(
      frameOf(
        await gateway.message(
          messageEvent(first.connectionId, {
            action: 'subscribe',
            channel: `datasource:${first.datasourceId}`,
          }),
          context,
        ),
      ).type,
    ).toBe('subscribed');
  });

  it('answers a datasource the token does not cover with a 403 error frame', async () => {
    const gateway = await gatewayWith();
    const { connectionId } = await openConnection(gateway);
    const other = await datasource(gateway);
    expect(
      frameOf(
        await gateway.message(
          messageEvent(connectionId, { action: 'subscribe', channel: `datasource:${other}` }),
          context,
        ),
      ),
    ).toMatchObject({ type: 'error', status: 403 });
  });
});
