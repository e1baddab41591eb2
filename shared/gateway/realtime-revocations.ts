import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { closeConnectionsOwnedBy } from '../domain/realtime/realtime-connections.js';
import type { ConnectionOwner, RevocationEntry } from '../domain/realtime/realtime-store.js';
import { REVOCATION_FEED_RETENTION_MS } from '../domain/realtime/revocation-cursor.js';
import { ConnectionRevokedError, DatasourceDeletedError } from '../errors/realtime-errors.js';
import { errorFrame } from '../http/realtime-frames.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import type { GatewayFunction, StreamSource } from '../routes/realtime-gateway.js';
import { apiKeyStoreFor } from '../runtime/api-key-store-for.js';
import { connectionGatewayFor } from '../runtime/connection-gateway-for.js';
import { realtimeStoreFor } from '../runtime/realtime-store-for.js';
import type { Runtime } from '../runtime/runtime.js';
import { type GatewayInvocation, type GatewayModule, gatewayModule } from './gateway-module.js';

/** The table a stream record comes from: `arn:...:table/<name>/stream/<label>`. */
export const tableNameOfStream = (eventSourceArn: string | undefined): string | undefined =>
  /:table\/([^/]+)\/stream\//.exec(eventSourceArn ?? '')?.[1];

/** Whether a record passes a source's filter: what the CDK event source mapping and the local poller apply. */
export const matchesStreamSource = (source: StreamSource, record: DynamoDBRecord): boolean => {
  if (!source.events.includes(record.eventName as StreamSource['events'][number])) return false;
  const partitionKey = record.dynamodb?.Keys?.[tableDefinitions[source.table].partitionKey.name]?.S;
  if (source.partitionKey !== undefined && partitionKey !== source.partitionKey) return false;
  if (source.partitionKeyPrefix !== undefined && !partitionKey?.startsWith(source.partitionKeyPrefix))
    return false;
  return true;
};

interface Closing {
  readonly owner: ConnectionOwner;
  readonly frame: 'revoked' | 'deleted';
}

const revocationsSetup = (runtime: Runtime) => {
  const { config, clock } = runtime;
  const store = realtimeStoreFor(runtime);
  const connections = { store, gateway: connectionGatewayFor(runtime) };
  const apiKeys = apiKeyStoreFor(runtime);
  const tableIdOf = new Map<string | undefined, StreamSource['table']>([
    [config.sessionsTableName, 'sessions'],
    [config.apiKeysTableName, 'apiKeys'],
    [config.realtime.tableName, 'realtime'],
  ]);

  /** What one record revokes: a session's marker, an API key now revoked, a deleted datasource. */
  const readRecord = async (
    record: DynamoDBRecord,
  ): Promise<{ closing?: Closing; entry?: Omit<RevocationEntry, 'recordedAtMs'> } | undefined> => {
    const table = tableIdOf.get(tableNameOfStream(record.eventSourceARN));
    const keys = record.dynamodb?.Keys ?? {};
    const atMs = (record.dynamodb?.ApproximateCreationDateTime ?? clock.nowMs() / 1000) * 1000;
    if (table === 'sessions') {
      const pk = keys.pk?.S ?? '';
      if (!pk.startsWith('revoked#') || record.eventName === 'REMOVE') return undefined;
      const sessionId = pk.slice('revoked#'.length);
      return {
        closing: { owner: `session:${sessionId}`, frame: 'revoked' },
        entry: { kind: 'session', id: sessionId, revokedAtMs: Math.floor(atMs) },
      };
    }
    if (table === 'apiKeys') {
      const keyId = keys.keyId?.S;
      if (keyId === undefined || record.eventName !== 'MODIFY') return undefined;
      // The stream carries keys only: whether this change revoked the key is read from the record.
      const key = await apiKeys.get(keyId);
      if (key === undefined || !key.revoked) return undefined;
      return {
        closing: { owner: `api_key:${keyId}`, frame: 'revoked' },
        entry: { kind: 'api_key', id: keyId, revokedAtMs: key.updatedAtMs },
      };
    }
    if (table === 'realtime' && record.eventName === 'REMOVE' && keys.pk?.S === 'datasource') {
      const datasourceId = keys.sk?.S;
      if (datasourceId === undefined) return undefined;
      return { closing: { owner: `datasource:${datasourceId}`, frame: 'deleted' } };
    }
    return undefined;
  };

  return async (event: DynamoDBStreamEvent, { requestId, log }: GatewayInvocation): Promise<void> => {
    const read = await Promise.all((event.Records ?? []).map(readRecord));
    const closings = new Map<string, Closing>();
    const recordedAtMs = clock.nowMs();
    const entries: RevocationEntry[] = [];
    for (const result of read) {
      if (result?.closing !== undefined) closings.set(result.closing.owner, result.closing);
      if (result?.entry !== undefined) entries.push({ ...result.entry, recordedAtMs });
    }
    if (entries.length > 0) {
      await store.recordRevocations(
        entries,
        Math.floor((recordedAtMs + REVOCATION_FEED_RETENTION_MS) / 1000),
      );
    }
    const frames = {
      revoked: errorFrame(new ConnectionRevokedError(), requestId, { closing: true }),
      deleted: errorFrame(new DatasourceDeletedError(), requestId, { closing: true }),
    };
    let closed = 0;
    // Every owner is tried; a failure is rethrown after the others, so Lambda retries the batch (closing
    // is idempotent: a connection already closed is gone).
    const failures: unknown[] = [];
    for (const closing of closings.values()) {
      try {
        closed += await closeConnectionsOwnedBy(connections, closing.owner, frames[closing.frame]);
      } catch (error) {
        failures.push(error);
      }
    }
    if (closed > 0 || closings.size > 0) {
      log.info('realtime revocations applied', { owners: closings.size, closed, recorded: entries.length });
      if (closed > 0) runtime.counters.count('realtime_connections_revoked', {});
    }
    if (failures.length > 0) {
      log.error('realtime revocations: some connections could not be closed; the batch is retried', {
        failed: failures.length,
        error: failures[0],
      });
      throw failures[0];
    }
  };
};

/**
 * Closes open connections when what they were opened with is revoked (ADR 0014): a session's
 * revocation marker (logout, refresh-token reuse), an API key marked revoked, a deleted datasource.
 * Reads the tables' streams (keys only); records session and key revocations for the internal feed.
 */
export const realtimeRevocations = (
  table: readonly GatewayFunction[],
): GatewayModule<'realtime-revocations', DynamoDBStreamEvent, void> =>
  gatewayModule(table, 'realtime-revocations', revocationsSetup);
