import { connect, createServer, type Socket } from 'node:net';

export interface DelayProxy {
  readonly endpoint: string;
  /** Holds every byte in both directions this long before passing it on: a slow backend. 0 passes at once. */
  readonly setDelayMs: (delayMs: number) => void;
  readonly close: () => Promise<void>;
}

/**
 * A TCP proxy on loopback in front of `target` (`http://host:port`), for fault tests: connections open and
 * requests arrive, but answers come as late as the test says, which is what a slow DynamoDB looks like.
 */
export const startDelayProxy = async (target: string): Promise<DelayProxy> => {
  const { hostname, port } = new URL(target);
  let delayMs = 0;
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      const pass = () => {
        if (!to.destroyed) to.write(chunk);
      };
      if (delayMs === 0) pass();
      else setTimeout(pass, delayMs).unref();
    });
    from.on('close', () => to.destroy());
    from.on('error', () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    setDelayMs: (value) => {
      delayMs = value;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
