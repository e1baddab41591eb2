import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** Point DYNAMODB_ENDPOINT (and any client) here. */
  readonly endpoint: string;
  /** Requests forwarded so far, all operations together. */
  readonly total: () => number;
  /** Requests forwarded so far per DynamoDB operation (from `X-Amz-Target`). */
  readonly byOperation: () => ReadonlyMap<string, number>;
  readonly close: () => Promise<void>;
}

/** `DynamoDB_20120810.TransactWriteItems` -> `TransactWriteItems`. */
const operationOf = (target: string | string[] | undefined): string => {
  const value = Array.isArray(target) ? target[0] : target;
  return value?.split('.').pop() ?? '(no X-Amz-Target)';
};

/**
 * An HTTP (or HTTPS) proxy in front of DynamoDB Local that counts every request it forwards. It sits below
 * every SDK client pointed at it (the runtime's, and the ones the limiter and other services build
 * from the config), so one count is one HTTP request to DynamoDB whoever sent it, retries included.
 */
export const startCountingProxy = async (
  upstreamEndpoint: string,
  /** Serve HTTPS with this key and certificate (the upstream stays plain HTTP). */
  tls?: { readonly key: string; readonly cert: string },
): Promise<CountingProxy> => {
  const upstream = new URL(upstreamEndpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counts = new Map<string, number>();
  let total = 0;
  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    total += 1;
    const operation = operationOf(incoming.headers['x-amz-target']);
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
        agent,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(forwarded);
  };
  const server = tls === undefined ? createServer(forward) : createTlsServer(tls, forward);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    total: () => total,
    byOperation: () => new Map(counts),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
};
