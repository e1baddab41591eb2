/** The DynamoDB adapter's record-kept limits (on the API-keys table) against the shared contract. */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { dynamoDbRateLimitStore } from '../../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';
import { createTestTables } from '../../support/dynamodb-test-tables.js';
import { describeRecordStoreContract } from '../../unit/rate-limit/record-store-contract.js';

let client: DynamoDBClient;
let tables: Awaited<ReturnType<typeof createTestTables>>['tables'];

beforeAll(async () => {
  ({ client, tables } = await createTestTables());
});
afterAll(() => client.destroy());

describeRecordStoreContract('DynamoDB adapter on DynamoDB Local', () => ({
  store: dynamoDbRateLimitStore(client, tables.rateLimits, undefined, tables.apiKeys),
  // A whole record is written over: the proof reads only these attributes (the rest is ADR 0008's).
  putRecord: async (id, record) => {
    await client.send(
      new PutItemCommand({
        TableName: tables.apiKeys,
        Item: {
          keyId: { S: id },
          version: { N: String(record.version) },
          revoked: { BOOL: record.revoked },
          ...(record.expiresAtMs === undefined ? {} : { expiresAtMs: { N: String(record.expiresAtMs) } }),
        },
      }),
    );
  },
}));
