import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDynamoDbClient } from '../../../shared/adapters/dynamodb/create-dynamodb-client.js';

/**
 * Until the lead adds `apiKeys` (partition key `keyId`, S) to the shared table definitions, the tests
 * create that table themselves, under a name unique to the calling file. No TTL: records are kept.
 */
export const createApiKeysTable = async (): Promise<{ client: DynamoDBClient; tableName: string }> => {
  const client = createDynamoDbClient({
    region: 'local',
    endpoint: inject('dynamoDbEndpoint'),
    connectionTimeoutMs: 10_000,
    requestTimeoutMs: 15_000,
  });
  const tableName = `t-${randomUUID().slice(0, 8)}-apiKeys`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'keyId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'keyId', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
  return { client, tableName };
};
