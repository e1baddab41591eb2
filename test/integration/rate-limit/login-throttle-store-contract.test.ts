import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { dynamoDbLoginThrottleStore } from '../../../shared/adapters/dynamodb/dynamodb-login-throttle-store.js';
import { createTestTables } from '../../support/dynamodb-test-tables.js';
import { describeLoginThrottleStoreContract } from '../../unit/login-throttle/login-throttle-store-contract.js';

let client: DynamoDBClient;
let tableName: string;

beforeAll(async () => {
  const created = await createTestTables();
  client = created.client;
  tableName = created.tables.rateLimits;
});
afterAll(() => client.destroy());

describeLoginThrottleStoreContract('DynamoDB adapter on DynamoDB Local', () =>
  dynamoDbLoginThrottleStore(client, tableName),
);
