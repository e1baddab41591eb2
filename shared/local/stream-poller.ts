import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { matchesStreamSource } from '../gateway/realtime-revocations.js';
import type { TableId } from '../resources/table-definitions.js';
import type { StreamSource } from '../routes/realtime-gateway.js';
import { lambdaContext } from './local-server.js';

export type StreamLambda = (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;

export interface StreamPollerOptions {
  /** DynamoDB Local's endpoint: its Streams API answers on the same port. */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** The local name of each table the sources read. */
  readonly tableNames: Readonly<Record<TableId, string>>;
  readonly sources: readonly StreamSource[];
  readonly handler: StreamLambda;
  readonly functionName: string;
  readonly intervalMs?: number;
}

export interface RunningStreamPoller {
  readonly stop: () => Promise<void>;
}

interface Shard {
  readonly streamArn: string;
  readonly table: TableId;
  readonly shardId: string;
  iterator: string | undefined;
  /** The last record handed to the function: nothing at or before it is handed again. */
  lastSequenceNumber: string | undefined;
}

class TrimmedDataAccessError extends Error {}

/**
 * One Streams API call, in the JSON protocol DynamoDB Local speaks on its own port (it accepts any
 * signature). A few lines instead of another SDK client whose version would not match the pinned ones.
 */
const streamsCall = async <T>(endpoint: string, operation: string, input: unknown): Promise<T> => {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDBStreams_20120810.${operation}`,
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
    },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as T & { __type?: string; message?: string };
  if (!response.ok) {
    const message = `DynamoDB Streams ${operation}: ${body.__type ?? response.status} ${body.message ?? ''}`;
    if (body.__type?.endsWith('TrimmedDataAccessException') === true)
      throw new TrimmedDataAccessError(message);
    throw new Error(message);
  }
  return body;
};

/**
 * What Lambda's event source mapping does on AWS, for DynamoDB Local: reads the streams of the source
 * tables, keeps only the records the sources' filters pass (the same rules the
 * CDK mapping gets), and calls the function with batches of them, one shard at a time. A batch whose
 * function throws is retried on the next poll, as Lambda retries a failed batch.
 */
export const startStreamPoller = async (options: StreamPollerOptions): Promise<RunningStreamPoller> => {
  const intervalMs = options.intervalMs ?? 250;
  const shards = new Map<string, Shard>();
  const streams = new Map<TableId, string>();
  for (const table of new Set(options.sources.map((source) => source.table))) {
    const described = await options.client.send(
      new DescribeTableCommand({ TableName: options.tableNames[table] }),
    );
    const arn = described.Table?.LatestStreamArn;
    if (arn === undefined) throw new Error(`table ${options.tableNames[table]} has no stream`);
    streams.set(table, arn);
  }

  /**
   * Every shard from its start (TRIM_HORIZON). DynamoDB Local numbers records across all streams, and a
   * LATEST iterator of one table's shard then fails with TrimmedDataAccessException once another table
   * has written; reading from the start only replays what a fresh local table holds, and the revocation
   * function is idempotent.
   */
  const discover = async (): Promise<void> => {
    for (const [table, streamArn] of streams) {
      const { StreamDescription } = await streamsCall<{
        StreamDescription: { Shards?: { ShardId: string }[] };
      }>(options.endpoint, 'DescribeStream', { StreamArn: streamArn });
      for (const shard of StreamDescription.Shards ?? []) {
        if (shards.has(shard.ShardId)) continue;
        const { ShardIterator } = await streamsCall<{ ShardIterator?: string }>(
          options.endpoint,
          'GetShardIterator',
          {
            StreamArn: streamArn,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          },
        );
        shards.set(shard.ShardId, {
          streamArn,
          table,
          shardId: shard.ShardId,
          iterator: ShardIterator,
          lastSequenceNumber: undefined,
        });
      }
    }
  };

  /**
   * DynamoDB Local numbers records across every stream, and an iterator that an empty read returned
   * still points at the shard's first number; once the shard holds records numbered after other tables'
   * writes, reading it fails with TrimmedDataAccessException. A new iterator after the last record handed
   * on (or from the start) reads on, and records already handed on are skipped.
   */
  const readShard = async (shard: Shard, iterator: string) => {
    try {
      return await streamsCall<{ Records?: DynamoDBRecord[]; NextShardIterator?: string }>(
        options.endpoint,
        'GetRecords',
        { ShardIterator: iterator, Limit: 100 },
      );
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessError)) throw error;
      const { ShardIterator } = await streamsCall<{ ShardIterator?: string }>(
        options.endpoint,
        'GetShardIterator',
        {
          StreamArn: shard.streamArn,
          ShardId: shard.shardId,
          ...(shard.lastSequenceNumber === undefined
            ? { ShardIteratorType: 'TRIM_HORIZON' }
            : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequenceNumber }),
        },
      );
      if (ShardIterator === undefined) return {};
      return streamsCall<{ Records?: DynamoDBRecord[]; NextShardIterator?: string }>(
        options.endpoint,
        'GetRecords',
        {
          ShardIterator,
          Limit: 100,
        },
      );
    }
  };

  const pollShard = async (shard: Shard): Promise<void> => {
    if (shard.iterator === undefined) return;
    const { Records = [], NextShardIterator } = await readShard(shard, shard.iterator);
    const fresh = Records.filter(
      (record) =>
        shard.lastSequenceNumber === undefined ||
        (record.dynamodb?.SequenceNumber ?? '') > shard.lastSequenceNumber,
    );
    const records = fresh
      .map((record) => ({ ...record, eventSourceARN: shard.streamArn }))
      .filter((record) =>
        options.sources.some((source) => source.table === shard.table && matchesStreamSource(source, record)),
      );
    if (records.length > 0) {
      try {
        await options.handler({ Records: records }, lambdaContext(options.functionName));
      } catch (error) {
        // Not advancing the iterator: the same batch comes again on the next poll.
        console.error(`stream poller: ${options.functionName} failed; the batch is retried`, error);
        return;
      }
    }
    shard.lastSequenceNumber = fresh.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
    shard.iterator = NextShardIterator;
  };

  await discover();
  let stopped = false;
  let rounds = 0;
  let current: Promise<void> = Promise.resolve();
  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        for (const shard of shards.values()) await pollShard(shard);
        rounds += 1;
        if (rounds % 20 === 0) await discover();
      } catch (error) {
        if (!stopped) console.error('stream poller: polling failed', error);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs).unref());
    }
  };
  current = loop();
  return {
    stop: async () => {
      stopped = true;
      await current;
    },
  };
};
