/**
 * The local WebSocket API emulator against what API Gateway does, with real clients: Node's WebSocket
 * (as browsers behave) and the official `@aws-sdk/client-apigatewaymanagementapi` client for the
 * management API, so nothing passes locally that AWS would refuse. Also pins the requests of Bulwark's
 * own management API client to the SDK client's.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { managementApiConnectionGateway } from '../../../shared/adapters/realtime/management-api-connection-gateway.js';
import type { WebSocketEvent, WebSocketResult } from '../../../shared/gateway/websocket-event.js';
import {
  type RunningWebSocketEmulator,
  startWebSocketEmulator,
  type WebSocketLambda,
} from '../../../shared/local/websocket-emulator.js';
import { connectRealtime, within } from '../../support/websocket-client.js';

const running: RunningWebSocketEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

interface Recorded {
  readonly events: WebSocketEvent[];
}

/** An emulator whose $connect answers `connect`, whose $default echoes, recording every event. */
const emulator = async (
  connect: (event: WebSocketEvent) => WebSocketResult = () => ({
    statusCode: 200,
    headers: { 'Sec-WebSocket-Protocol': 'bulwark.v1' },
  }),
  options: { readonly idleTimeoutMs?: number } = {},
): Promise<RunningWebSocketEmulator & Recorded> => {
  const events: WebSocketEvent[] = [];
  const record =
    (answer: (event: WebSocketEvent) => WebSocketResult | undefined): WebSocketLambda =>
    async (event) => {
      events.push(event);
      return answer(event);
    };
  const started = await startWebSocketEmulator({
    port: 0,
    routes: new Map<string, WebSocketLambda>([
      ['$connect', record(connect)],
      ['$disconnect', record(() => ({ statusCode: 200 }))],
      ['$default', record((event) => ({ statusCode: 200, body: `echo:${event.body ?? ''}` }))],
      ['ping', record(() => ({ statusCode: 200, body: 'pong' }))],
    ]),
    returnResponse: new Set(['$default']),
    ...options,
  });
  running.push(started);
  return Object.assign(started, { events });
};

const sdkClient = (callbackUrl: string) =>
  new ApiGatewayManagementApiClient({
    endpoint: callbackUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const eventually = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('the local WebSocket API emulator', () => {
  it('turns the handshake into a $connect event with the fields API Gateway sends, and echoes the chosen subprotocol', async () => {
    const api = await emulator();
    const socket = connectRealtime(api.url, ['bulwark.v1', 'bdt_token']);
    await within(socket.opened, 10_000, 'open');
    expect(socket.socket.protocol).toBe('bulwark.v1');
    const [connect] = api.events;
    expect(connect?.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      stage: 'local',
      identity: { sourceIp: '127.0.0.1' },
    });
    // Like API Gateway's ids: short base64 ending in '=', which the SDK must URL-encode.
    expect(connect?.requestContext.connectionId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    const headers = Object.fromEntries(
      Object.entries(connect?.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(headers['sec-websocket-protocol']).toBe('bulwark.v1, bdt_token');
    // API Gateway appends the connecting address to X-Forwarded-For.
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    socket.close();
  });

  it('reads a query key named __proto__ or constructor as data: the handshake goes on, the emulator stays up', async () => {
    const api = await emulator();
    const socket = connectRealtime(`${api.url}?__proto__=1&constructor=2`, ['bulwark.v1']);
    await within(socket.opened, 10_000, 'open');
    const [connect] = api.events;
    expect(Object.entries(connect?.queryStringParameters ?? {})).toEqual([
      ['__proto__', '1'],
      ['constructor', '2'],
    ]);
    socket.close();
    const next = connectRealtime(api.url, ['bulwark.v1']);
    await within(next.opened, 10_000, 'open');
    next.close();
  });

  it('refuses the handshake with the $connect status: the client sees an error and 1006, nothing else', async () => {
    const api = await emulator(() => ({ statusCode: 429, headers: { 'Retry-After': '5' } }));
    const socket = connectRealtime(api.url, ['bulwark.v1', 'bdt_token']);
    await expect(socket.opened).rejects.toThrow();
    expect((await within(socket.closed, 10_000, 'close')).code).toBe(1006);
    expect(api.connectionIds()).toEqual([]);
  });

  it('fails the handshake when $connect chooses no subprotocol although the client offered some', async () => {
    const api = await emulator(() => ({ statusCode: 200 }));
    const socket = connectRealtime(api.url, ['bulwark.v1']);
    await expect(socket.opened).rejects.toThrow();
  });

  it('routes messages by action, sends a route response back, and keeps the connection context', async () => {
    const api = await emulator();
    const socket = connectRealtime(api.url, ['bulwark.v1']);
    await within(socket.opened, 10_000, 'open');
    const replies: string[] = [];
    socket.socket.addEventListener('message', (event) => replies.push(String(event.data)));
    socket.socket.send('{"action":"subscribe"}');
    socket.socket.send('not json');
    socket.socket.send('{"action":"ping"}');
    await eventually(() => replies.length >= 2, 'replies');
    // ping has no route response, so only $default's two answers come back.
    expect(replies.sort()).toEqual(['echo:not json', 'echo:{"action":"subscribe"}']);
    await eventually(
      () => api.events.filter((event) => event.requestContext.eventType === 'MESSAGE').length === 3,
      'events',
    );
    const messages = api.events.filter((event) => event.requestContext.eventType === 'MESSAGE');
    expect(messages.map((event) => event.requestContext.routeKey).sort()).toEqual([
      '$default',
      '$default',
      'ping',
    ]);
    const connectionId = api.events[0]?.requestContext.connectionId;
    for (const message of messages) {
      expect(message.requestContext.connectionId).toBe(connectionId);
      expect(message.requestContext.identity.sourceIp).toBe('127.0.0.1');
      // Headers exist only at $connect.
      expect(message.headers).toBeUndefined();
    }
    socket.close();
  });

  it('serves the management API to the official SDK client: post, get, delete (close 1000), then Gone', async () => {
    const api = await emulator();
    const socket = connectRealtime(api.url, ['bulwark.v1']);
    await within(socket.opened, 10_000, 'open');
    const connectionId = api.events[0]?.requestContext.connectionId ?? '';
    const client = sdkClient(api.callbackUrl);
    const received: string[] = [];
    socket.socket.addEventListener('message', (event) => received.push(String(event.data)));
    await client.send(
      new PostToConnectionCommand({
        ConnectionId: connectionId,
        Data: new TextEncoder().encode('{"hello":1}'),
      }),
    );
    await eventually(() => received.length === 1, 'post');
    expect(received).toEqual(['{"hello":1}']);
    const described = await client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(described.Identity?.SourceIp).toBe('127.0.0.1');
    expect(described.ConnectedAt).toBeInstanceOf(Date);
    await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect((await within(socket.closed, 10_000, 'close')).code).toBe(1000);
    await expect(
      client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new Uint8Array([1]) })),
    ).rejects.toBeInstanceOf(GoneException);
    // $disconnect came with the close code.
    await eventually(
      () => api.events.some((event) => event.requestContext.eventType === 'DISCONNECT'),
      'disconnect',
    );
    expect(
      api.events.find((event) => event.requestContext.eventType === 'DISCONNECT')?.requestContext,
    ).toMatchObject({
      routeKey: '$disconnect',
      disconnectStatusCode: 1000,
    });
    client.destroy();
  });

  it('closes a connection with 1009 on a message over 128 KiB and keeps serving others', async () => {
    const api = await emulator();
    const big = connectRealtime(api.url, ['bulwark.v1']);
    await within(big.opened, 10_000, 'open');
    big.socket.send('x'.repeat(128 * 1024 + 1));
    expect((await within(big.closed, 10_000, 'close')).code).toBe(1009);
    const next = connectRealtime(api.url, ['bulwark.v1']);
    await within(next.opened, 10_000, 'second open');
    next.close();
  });

  it('closes an idle connection with 1001, as API Gateway does after 10 minutes', async () => {
    const api = await emulator(undefined, { idleTimeoutMs: 200 });
    const socket = connectRealtime(api.url, ['bulwark.v1']);
    await within(socket.opened, 10_000, 'open');
    expect((await within(socket.closed, 10_000, 'close')).code).toBe(1001);
  });

  it("Bulwark's management API client sends, closes and sees Gone against it", async () => {
    const api = await emulator();
    const socket = connectRealtime(api.url, ['bulwark.v1']);
    await within(socket.opened, 10_000, 'open');
    const connectionId = api.events[0]?.requestContext.connectionId ?? '';
    const gateway = managementApiConnectionGateway({
      endpoint: api.callbackUrl,
      region: 'us-east-1',
      attemptMs: 2_000,
    });
    const received: string[] = [];
    socket.socket.addEventListener('message', (event) => received.push(String(event.data)));
    expect(await gateway.send(connectionId, '{"type":"event"}')).toBe('sent');
    await eventually(() => received.length === 1, 'send');
    expect(await gateway.close(connectionId)).toBe('closed');
    expect((await within(socket.closed, 10_000, 'close')).code).toBe(1000);
    expect(await gateway.send(connectionId, '{}')).toBe('gone');
    expect(await gateway.close(connectionId)).toBe('gone');
  });
});

describe("Bulwark's management API client", () => {
  it('makes the requests the SDK client makes: method, URL-encoded path, SigV4 for execute-api', async () => {
    const seen: { method: string; url: string; authorization: string; body: string }[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          authorization: request.headers.authorization ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
      const connectionId = 'L0SM9cOFvHcCIhw=';
      const client = sdkClient(endpoint);
      await client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: new TextEncoder().encode('{"a":1}'),
        }),
      );
      await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      client.destroy();
      const gateway = managementApiConnectionGateway({ endpoint, region: 'us-east-1', attemptMs: 2_000 });
      await gateway.send(connectionId, '{"a":1}');
      await gateway.close(connectionId);
      const shape = (entry: (typeof seen)[number]) => ({
        method: entry.method,
        url: entry.url,
        body: entry.body,
        scope: /Credential=[^/]+\/\d{8}\/us-east-1\/execute-api\/aws4_request/.test(entry.authorization),
      });
      expect(seen.slice(2).map(shape)).toEqual(seen.slice(0, 2).map(shape));
      expect(seen[0]?.url).toBe('/prod/@connections/L0SM9cOFvHcCIhw%3D');
    } finally {
      server.close();
    }
  });

  it('answers a failing management API with a 503 of apigateway after two attempts, never a hang', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const gateway = managementApiConnectionGateway({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`,
        region: 'us-east-1',
        attemptMs: 500,
      });
      await expect(gateway.send('abc=', '{}')).rejects.toMatchObject({
        code: 'service-unavailable',
        dependency: 'apigateway',
      });
      expect(requests).toBe(2);
    } finally {
      server.close();
    }
  });
});
