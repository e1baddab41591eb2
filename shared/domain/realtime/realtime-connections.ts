import type { ConnectionGateway } from './connection-gateway.js';
import type { ConnectionOwner, RealtimeStore } from './realtime-store.js';

export interface RealtimeConnectionsDependencies {
  readonly store: RealtimeStore;
  readonly gateway: ConnectionGateway;
}

/** Sends and closes this many connections at a time: bounded work per invocation, bounded memory. */
const concurrency = 16;

/**
 * Runs `work` for every item, at most `limit` at a time, and waits for all of them even when some fail;
 * the failures come back so the caller decides (a publish reports what it delivered, a revocation retries).
 */
export const settleConcurrently = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<unknown[]> => {
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return failures;
};

/**
 * Closes one connection for a reason the client must see: the error frame first (API Gateway closes with
 * 1000 and no reason of its own), then the close, then its items. A connection already gone is simply
 * forgotten. The frame is sent best effort: a close must not wait on a client that stopped reading.
 */
export const closeConnection = async (
  { store, gateway }: RealtimeConnectionsDependencies,
  connectionId: string,
  closingFrame: string,
): Promise<void> => {
  if ((await gateway.send(connectionId, closingFrame)) === 'sent') await gateway.close(connectionId);
  await store.removeConnection(connectionId);
};

/**
 * Closes every connection an owner covers (a revoked session or API key, a deleted datasource). Every
 * connection is tried; if any close failed, the first failure is thrown afterwards, so the caller (the
 * revocation stream) retries and closes what is left.
 */
export const closeConnectionsOwnedBy = async (
  dependencies: RealtimeConnectionsDependencies,
  owner: ConnectionOwner,
  closingFrame: string,
): Promise<number> => {
  const ids = await dependencies.store.connectionsOwnedBy(owner);
  const failures = await settleConcurrently(ids, concurrency, (id) =>
    closeConnection(dependencies, id, closingFrame),
  );
  if (failures.length > 0) throw failures[0];
  return ids.length;
};

export interface Delivery {
  readonly subscribers: number;
  readonly delivered: number;
  /** Connections found gone and forgotten. */
  readonly gone: number;
  readonly failures: readonly unknown[];
}

/** Sends a frame to every subscriber of a channel; gone connections are removed on the way. */
export const deliverToChannel = async (
  { store, gateway }: RealtimeConnectionsDependencies,
  channel: string,
  frame: string,
): Promise<Delivery> => {
  const ids = await store.subscribers(channel);
  let delivered = 0;
  let gone = 0;
  const failures = await settleConcurrently(ids, concurrency, async (id) => {
    if ((await gateway.send(id, frame)) === 'sent') {
      delivered += 1;
      return;
    }
    gone += 1;
    await store.removeConnection(id);
  });
  return { subscribers: ids.length, delivered, gone, failures };
};
