import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDynamoDbClient } from '../../../shared/adapters/dynamodb/create-dynamodb-client.js';

/**
 * A sessions table (`pk` S, TTL `expiresAt`) under a name unique to the calling file. Stands in until
 * the `sessions` entry of the shared table definitions exists; then createTestTables() replaces it.
 */
export const createSessionsTestTable = async (): Promise<{ client: DynamoDBClient; tableName: string }> => {
  const client = createDynamoDbClient({
    region: 'local',
    endpoint: inject('dynamoDbEndpoint'),
    connectionTimeoutMs: 10_000,
    requestTimeoutMs: 15_000,
  });
  const tableName = `t-${randomUUID().slice(0, 8)}-sessions`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  );
  return { client, tableName };
};
