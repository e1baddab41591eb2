import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { dynamoDbRateLimitStore } from '../../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';
import { createTestTables } from '../../support/dynamodb-test-tables.js';
import { describeRateLimitStoreContract } from '../../unit/rate-limit/rate-limit-store-contract.js';

let client: DynamoDBClient;
let tables: Awaited<ReturnType<typeof createTestTables>>['tables'];

beforeAll(async () => {
  ({ client, tables } = await createTestTables());
});
afterAll(() => client.destroy());

describeRateLimitStoreContract('DynamoDB adapter on DynamoDB Local', () => ({
  store: dynamoDbRateLimitStore(client, tables.rateLimits, tables.sessions),
  revoke: async (guardKey) => {
    await client.send(
      new PutItemCommand({
        TableName: tables.sessions,
        Item: { pk: { S: guardKey }, expiresAt: { N: '4102444800' } },
      }),
    );
  },
}));
