import {
  DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoDbRateLimitStore } from '../../../shared/adapters/dynamodb/dynamodb-rate-limit-store.js';

const dynamoDb = mockClient(DynamoDBClient);
const conflict = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
  });

const decide = () =>
  dynamoDbRateLimitStore(new DynamoDBClient({ region: 'local' }), 'limits', 'sessions').consumeFixedWindow({
    key: 'rl#me#user:1#fw-100-per-60s#0',
    limit: 100,
    expiresAtSeconds: 4_102_444_800,
    mustNotExist: ['revoked#sid-1'],
  });

describe('a guarded decision whose transaction conflicts with another on the same marker', () => {
  beforeEach(() => {
    dynamoDb.reset();
    dynamoDb.on(TransactWriteItemsCommand).rejects(conflict());
  });

  it('falls back to a consistent read of the marker and a plain conditional write, and admits', async () => {
    dynamoDb.on(GetItemCommand).resolves({});
    dynamoDb.on(UpdateItemCommand).resolves({ Attributes: { count: { N: '7' } } });
    await expect(decide()).resolves.toEqual({ admitted: true, value: 7, guardFailed: false });
    expect(dynamoDb.commandCalls(GetItemCommand)[0]?.args[0].input).toEqual({
      TableName: 'sessions',
      Key: { pk: { S: 'revoked#sid-1' } },
      ConsistentRead: true,
      ProjectionExpression: 'pk',
    });
    expect(dynamoDb.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('refuses a revoked session found by the fallback read without writing', async () => {
    dynamoDb.on(GetItemCommand).resolves({ Item: { pk: { S: 'revoked#sid-1' } } });
    await expect(decide()).resolves.toEqual({ admitted: false, value: undefined, guardFailed: true });
    expect(dynamoDb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });
});
