import {
  ConditionalCheckFailedException,
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

  it('falls back to a plain conditional write, then a consistent read of the marker, and admits', async () => {
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

  it('refuses a session revoked while its write was in flight: the marker is read after the write', async () => {
    // A logout that lands between a read and a write would be missed if the read came first.
    let written = false;
    dynamoDb.on(UpdateItemCommand).callsFake(() => {
      written = true;
      return { Attributes: { count: { N: '7' } } };
    });
    dynamoDb.on(GetItemCommand).callsFake(() => (written ? { Item: { pk: { S: 'revoked#sid-1' } } } : {}));
    await expect(decide()).resolves.toEqual({ admitted: false, value: 7, guardFailed: true });
  });

  it('refuses a revoked session even when the write itself was refused for the limit', async () => {
    dynamoDb.on(UpdateItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'limit',
        $metadata: {},
        Item: { count: { N: '100' } },
      }),
    );
    dynamoDb.on(GetItemCommand).resolves({ Item: { pk: { S: 'revoked#sid-1' } } });
    await expect(decide()).resolves.toEqual({ admitted: false, value: 100, guardFailed: true });
  });
});
