import { randomBytes, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Context } from 'aws-lambda';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { WebSocketEvent, WebSocketResult } from '../gateway/websocket-event.js';
import { queryOf } from './api-gateway-event.js';
import { lambdaContext } from './local-server.js';

/** What a WebSocket route's function is, locally: the module's `handler`. */
export type WebSocketLambda = (
  event: WebSocketEvent,
  context: Context,
) => Promise<WebSocketResult | undefined>;

export interface WebSocketEmulatorOptions {
  readonly port: number;
  readonly host?: string;
  /** The stage in the URL (`ws://host:port/<stage>`) and in `requestContext.stage`. */
  readonly stage?: string;
  /**
   * Route keys (`$connect`, `$disconnect`, `$default`, or an action) and their functions. Routes listed in
   * `returnResponse` have a route response: what their function returns is sent to the client.
   */
  readonly routes: ReadonlyMap<string, WebSocketLambda>;
  readonly returnResponse?: ReadonlySet<string>;
  /** API Gateway's default: the `action` member of a JSON message picks the route. */
  readonly routeSelectionExpression?: `$request.body.${string}`;
  /** API Gateway: 10 minutes without a message, 2 hours in all; both close with 1001. */
  readonly idleTimeoutMs?: number;
  readonly maxDurationMs?: number;
  /** API Gateway's message limit (128 KiB): a bigger message closes the connection with 1009. */
  readonly maxPayloadBytes?: number;
}

export interface RunningWebSocketEmulator {
  readonly server: Server;
  /** Where clients connect: `ws://host:port/<stage>`. */
  readonly url: string;
  /** The management API's endpoint for the SDK: `http://host:port/<stage>`. */
  readonly callbackUrl: string;
  /** Open connections by id. */
  readonly connectionIds: () => readonly string[];
  readonly close: () => Promise<void>;
}

interface OpenConnection {
  readonly socket: WebSocket;
  readonly connectedAtMs: number;
  lastActiveAtMs: number;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
  readonly timers: NodeJS.Timeout[];
}

const apiId = 'local';

/** API Gateway's ids are short base64 strings ending in `=`, which the SDK must URL-encode: so are these. */
const newConnectionId = (): string => randomBytes(11).toString('base64');

const sourceIpOf = (request: IncomingMessage): string =>
  (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/** The `$connect` headers: what the client sent, plus what API Gateway adds (X-Forwarded-*). */
const connectHeaders = (request: IncomingMessage, sourceIp: string, port: number) => {
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  const add = (name: string, value: string) => {
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
    headers[existing] = value;
    multiValueHeaders[existing] = [...(multiValueHeaders[existing] ?? []), value];
  };
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    add(request.rawHeaders[index] ?? '', request.rawHeaders[index + 1] ?? '');
  }
  // API Gateway appends the address that connected to X-Forwarded-For, as every trusted hop does.
  const forwarded = Object.keys(headers).find((key) => key.toLowerCase() === 'x-forwarded-for');
  const chain = forwarded === undefined ? sourceIp : `${headers[forwarded]}, ${sourceIp}`;
  if (forwarded !== undefined) {
    delete headers[forwarded];
    delete multiValueHeaders[forwarded];
  }
  headers['X-Forwarded-For'] = chain;
  multiValueHeaders['X-Forwarded-For'] = [chain];
  headers['X-Forwarded-Port'] = String(port);
  multiValueHeaders['X-Forwarded-Port'] = [String(port)];
  headers['X-Forwarded-Proto'] = 'http';
  multiValueHeaders['X-Forwarded-Proto'] = ['http'];
  return { headers, multiValueHeaders };
};

/** The handshake's query, read as the REST translator reads it (toApiGatewayEvent). */
const connectQueryOf = (url: URL) => {
  const { single, multi } = queryOf(url);
  return single === null ? {} : { queryStringParameters: single, multiValueQueryStringParameters: multi };
};

/** Refuses a handshake the way API Gateway does: an HTTP status, no upgrade, the socket closed. */
const refuseUpgrade = (socket: Duplex, status: number, body = ''): void => {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
};

const isSuccess = (result: WebSocketResult | undefined): boolean =>
  result === undefined || (result.statusCode >= 200 && result.statusCode < 300);

const headerOf = (result: WebSocketResult | undefined, name: string): string | undefined =>
  Object.entries(result?.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

const readBody = (request: IncomingMessage, limit: number): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });

const answer = (response: ServerResponse, status: number, body?: unknown, errorType?: string): void => {
  response.writeHead(status, {
    'Content-Type': 'application/json',
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  response.end(body === undefined ? '' : JSON.stringify(body));
};

/**
 * API Gateway's WebSocket API on one machine, for `npm start` and the tests: a `ws` server that turns a
 * handshake into a `$connect` event (refused with the function's status when it is not 2xx, accepted
 * with the subprotocol it returns), each message into a `$default` (or action route) event, a close into
 * `$disconnect`, and serves the management API (`POST|GET|DELETE /<stage>/@connections/{id}`) over HTTP
 * so the same SDK client works against it. It closes as AWS does: 1000 on DeleteConnection, 1009 for a
 * message over 128 KiB, 1001 after the idle or total time, so nothing passes here that AWS cannot do.
 * The management API is unauthenticated: it listens on the loopback address only by default.
 */
export const startWebSocketEmulator = async (
  options: WebSocketEmulatorOptions,
): Promise<RunningWebSocketEmulator> => {
  const host = options.host ?? '127.0.0.1';
  const stage = options.stage ?? 'local';
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60 * 1000;
  const maxDurationMs = options.maxDurationMs ?? 2 * 60 * 60 * 1000;
  const maxPayloadBytes = options.maxPayloadBytes ?? 128 * 1024;
  const selectionMember = (options.routeSelectionExpression ?? '$request.body.action').slice(
    '$request.body.'.length,
  );
  const connections = new Map<string, OpenConnection>();
  let port = options.port;
  let domainName = `${host}:${port}`;

  const context = (
    connectionId: string,
    routeKey: string,
    eventType: WebSocketEvent['requestContext']['eventType'],
  ) => {
    const connection = connections.get(connectionId);
    const nowMs = Date.now();
    return {
      routeKey,
      eventType,
      connectionId,
      requestId: randomUUID(),
      ...(eventType === 'MESSAGE' ? { messageId: randomBytes(8).toString('base64') } : {}),
      connectedAt: connection?.connectedAtMs ?? nowMs,
      requestTimeEpoch: nowMs,
      domainName,
      stage,
      apiId,
      identity: { sourceIp: connection?.sourceIp ?? '127.0.0.1', userAgent: connection?.userAgent ?? null },
    };
  };

  /** What AWS sends a client when a route's function fails or no route matches. */
  const gatewayError = (socket: WebSocket, connectionId: string, message: string): void => {
    if (socket.readyState === WebSocket.OPEN)
      socket.send(JSON.stringify({ message, connectionId, requestId: randomUUID() }));
  };

  const invoke = async (routeKey: string, event: WebSocketEvent): Promise<WebSocketResult | undefined> => {
    const handler = options.routes.get(routeKey);
    if (handler === undefined) return undefined;
    return handler(event, lambdaContext(`websocket-${routeKey}`));
  };

  const touch = (connectionId: string): void => {
    const connection = connections.get(connectionId);
    if (connection === undefined) return;
    connection.lastActiveAtMs = Date.now();
    const [idle] = connection.timers;
    idle?.refresh();
  };

  const onMessage = async (connectionId: string, socket: WebSocket, data: RawData, isBinary: boolean) => {
    touch(connectionId);
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const body = isBinary ? bytes.toString('base64') : bytes.toString('utf8');
    let routeKey = '$default';
    if (!isBinary) {
      try {
        const selected = (JSON.parse(body) as Record<string, unknown> | null)?.[selectionMember];
        if (typeof selected === 'string' && options.routes.has(selected)) routeKey = selected;
      } catch {
        // Not JSON: the $default route.
      }
    }
    if (!options.routes.has(routeKey)) return gatewayError(socket, connectionId, 'Forbidden');
    try {
      const result = await invoke(routeKey, {
        requestContext: context(connectionId, routeKey, 'MESSAGE'),
        body,
        isBase64Encoded: isBinary,
      });
      if (options.returnResponse?.has(routeKey) === true && typeof result?.body === 'string') {
        if (socket.readyState === WebSocket.OPEN) socket.send(result.body);
      }
    } catch (error) {
      console.error(`websocket emulator: ${routeKey} failed`, error);
      gatewayError(socket, connectionId, 'Internal server error');
    }
  };

  const register = (connectionId: string, socket: WebSocket, request: IncomingMessage): void => {
    const goingAway = () => {
      if (socket.readyState === WebSocket.OPEN) socket.close(1001, 'Going away');
    };
    const nowMs = Date.now();
    connections.set(connectionId, {
      socket,
      connectedAtMs: nowMs,
      lastActiveAtMs: nowMs,
      sourceIp: sourceIpOf(request),
      userAgent: request.headers['user-agent'],
      timers: [setTimeout(goingAway, idleTimeoutMs), setTimeout(goingAway, maxDurationMs)],
    });
    // Without a listener an oversized frame's RangeError would be thrown and stop the process; ws has
    // already closed the connection with 1009 by then.
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => void onMessage(connectionId, socket, data, isBinary));
    socket.on('close', (code, reason) => {
      const connection = connections.get(connectionId);
      for (const timer of connection?.timers ?? []) clearTimeout(timer);
      const requestContext = {
        ...context(connectionId, '$disconnect', 'DISCONNECT'),
        disconnectStatusCode: code,
        disconnectReason: reason.toString('utf8'),
      };
      connections.delete(connectionId);
      invoke('$disconnect', { requestContext }).catch((error: unknown) => {
        console.error('websocket emulator: $disconnect failed', error);
      });
    });
  };

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: maxPayloadBytes,
    // The subprotocol the $connect function chose, or none (a browser that offered some then fails).
    handleProtocols: (_offered, request) =>
      (request as IncomingMessage & { chosenProtocol?: string }).chosenProtocol ?? false,
  });

  const onUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => undefined);
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== `/${stage}`) return refuseUpgrade(socket, 403, '{"message":"Forbidden"}');
    const connectionId = newConnectionId();
    const sourceIp = sourceIpOf(request);
    const event: WebSocketEvent = {
      requestContext: {
        routeKey: '$connect',
        eventType: 'CONNECT',
        connectionId,
        requestId: randomUUID(),
        connectedAt: Date.now(),
        requestTimeEpoch: Date.now(),
        domainName,
        stage,
        apiId,
        identity: { sourceIp, userAgent: request.headers['user-agent'] ?? null },
      },
      ...connectHeaders(request, sourceIp, port),
      ...connectQueryOf(url),
      isBase64Encoded: false,
    };
    let result: WebSocketResult | undefined;
    try {
      result = await invoke('$connect', event);
    } catch (error) {
      console.error('websocket emulator: $connect failed', error);
      return refuseUpgrade(socket, 500, '{"message":"Internal server error"}');
    }
    if (!isSuccess(result)) return refuseUpgrade(socket, result?.statusCode ?? 500, result?.body ?? '');
    if (socket.destroyed) {
      // The client left while $connect ran: API Gateway would send $disconnect for the connection.
      void invoke('$disconnect', {
        requestContext: { ...context(connectionId, '$disconnect', 'DISCONNECT'), disconnectStatusCode: 1006 },
      }).catch(() => undefined);
      return;
    }
    const chosen = headerOf(result, 'sec-websocket-protocol');
    Object.assign(request, { chosenProtocol: chosen });
    sockets.handleUpgrade(request, socket, head, (ws) => register(connectionId, ws, request));
  };

  /** The management API: `/<stage>/@connections/<url-encoded id>`. */
  const onRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const prefix = `/${stage}/@connections/`;
    if (!url.pathname.startsWith(prefix))
      return answer(response, 403, { message: 'Forbidden' }, 'ForbiddenException');
    const connectionId = decodeURIComponent(url.pathname.slice(prefix.length));
    const connection = connections.get(connectionId);
    if (connection === undefined || connection.socket.readyState !== WebSocket.OPEN) {
      return answer(response, 410, { message: null }, 'GoneException');
    }
    switch (request.method) {
      case 'POST': {
        const body = await readBody(request, maxPayloadBytes);
        if (body === undefined)
          return answer(response, 413, { message: 'Message too long' }, 'PayloadTooLargeException');
        connection.socket.send(body.toString('utf8'));
        touch(connectionId);
        return answer(response, 200);
      }
      case 'GET':
        return answer(response, 200, {
          connectedAt: new Date(connection.connectedAtMs).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent ?? '' },
          lastActiveAt: new Date(connection.lastActiveAtMs).toISOString(),
        });
      case 'DELETE':
        // API Gateway closes with 1000 and no reason of its own, whatever the caller's cause.
        connection.socket.close(1000);
        return answer(response, 204);
      default:
        return answer(response, 403, { message: 'Forbidden' }, 'ForbiddenException');
    }
  };

  const server = createServer((request, response) => {
    onRequest(request, response).catch((error: unknown) => {
      console.error('websocket emulator: management API failed', error);
      if (!response.headersSent) answer(response, 500, { message: 'Internal server error' });
    });
  });
  server.on('upgrade', (request, socket, head) => {
    // A handshake that fails here must not end the process (and the local stack with it).
    onUpgrade(request, socket, head).catch((error: unknown) => {
      console.error('websocket emulator: handshake failed', error);
      refuseUpgrade(socket, 500);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, host, resolve));
  port = (server.address() as AddressInfo).port;
  domainName = `${host}:${port}`;
  return {
    server,
    url: `ws://${host}:${port}/${stage}`,
    callbackUrl: `http://${host}:${port}/${stage}`,
    connectionIds: () => [...connections.keys()],
    close: async () => {
      for (const { socket } of connections.values()) socket.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
