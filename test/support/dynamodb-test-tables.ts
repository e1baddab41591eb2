import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDynamoDbClient } from '../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { createTables } from '../../shared/local/create-tables.js';
import type { TableId } from '../../shared/resources/table-definitions.js';

/** Every table of the shared definitions, under a prefix unique to the calling test file. */
export const createTestTables = async (): Promise<{
  client: DynamoDBClient;
  tables: Record<TableId, string>;
}> => {
  // Generous timeouts: DynamoDB Local's JVM is cold at first and 200 concurrent sockets queue in the agent.
  const client = createDynamoDbClient({
    region: 'local',
    endpoint: inject('dynamoDbEndpoint'),
    connectionTimeoutMs: 10_000,
    requestTimeoutMs: 15_000,
  });
  const tables = await createTables(client, `t-${randomUUID().slice(0, 8)}-`);
  return { client, tables };
};

/** Counts the commands a client sends, through SDK middleware, so tests can pin calls per decision. */
export const countCommands = (
  client: DynamoDBClient,
): { readonly count: () => number; readonly reset: () => void } => {
  let sent = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      sent += 1;
      return next(args);
    },
    { step: 'initialize', name: `countCommands-${randomUUID()}` },
  );
  return { count: () => sent, reset: () => (sent = 0) } as const;
};

export interface MutableClock {
  readonly nowMs: () => number;
  readonly set: (ms: number) => void;
  readonly advance: (ms: number) => void;
}

/**
 * Start it in the future: DynamoDB Local runs TTL deletion, so an item whose `expiresAt` (computed from
 * this clock) is already past on the wall clock can vanish mid-test, as it may on AWS (within days).
 */
export const mutableClock = (startMs: number): MutableClock => {
  let now = startMs;
  return {
    nowMs: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
};
