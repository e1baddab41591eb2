/**
 * Error translation in the DynamoDB session adapter, on a mocked client: the paths DynamoDB Local does
 * not produce (transaction conflicts, throttling) and the ones it does, pinned without a database.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoDbSessionStore } from '../../../shared/adapters/dynamodb/dynamodb-session-store.js';
import { DependencyUnavailableError } from '../../../shared/errors/request-errors.js';

const dynamoDb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'local' });
const store = dynamoDbSessionStore(client, 'sessions');
afterAll(() => dynamoDb.restore());
beforeEach(() => dynamoDb.reset());

const familyItem = {
  pk: { S: 'family#fam' },
  sessionId: { S: 'sid' },
  userId: { S: 'u1' },
  username: { S: 'alice' },
  roles: { L: [{ S: 'user' }] },
  currentHash: { S: 'h2' },
  previousHash: { S: 'h1' },
  rotatedAtMs: { N: '1000' },
  generation: { N: '1' },
  absoluteExpiresAtMs: { N: '9000' },
  revoked: { BOOL: false },
  expiresAt: { N: '99' },
};
const rotation = { familyId: 'fam', presentedHash: 'h1', nextHash: 'h2', nowMs: 1000 };
const revocation = {
  familyId: 'fam',
  sessionId: 'sid',
  reason: 'logout' as const,
  revokedAtMs: 1000,
  markerExpiresAtSeconds: 2000,
};
const conflict = () => new TransactionConflictException({ message: 'conflict', $metadata: {} });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const throttled = () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

describe('dynamoDbSessionStore error translation', () => {
  it('sends the rotation as one conditional UpdateItem asking for ALL_NEW and ALL_OLD', async () => {
    dynamoDb.on(UpdateItemCommand).resolves({ Attributes: familyItem });
    await expect(store.rotate(rotation)).resolves.toMatchObject({
      rotated: true,
      family: { familyId: 'fam' },
    });
    const input = dynamoDb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Key: { pk: { S: 'family#fam' } },
      ConditionExpression: '#currentHash = :presented AND #revoked = :false AND #absoluteExpiresAtMs > :now',
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('answers a failed rotation condition with the old item, not an error', async () => {
    dynamoDb
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {}, Item: familyItem }));
    await expect(store.rotate(rotation)).resolves.toMatchObject({
      rotated: false,
      family: { currentHash: 'h2', previousHash: 'h1' },
    });
  });

  it('retries a rotation that conflicts with a revocation in progress', async () => {
    dynamoDb.on(UpdateItemCommand).rejectsOnce(conflict()).resolves({ Attributes: familyItem });
    await expect(store.rotate(rotation)).resolves.toMatchObject({ rotated: true });
    expect(dynamoDb.commandCalls(UpdateItemCommand)).toHaveLength(2);
  });

  it('retries a revocation cancelled by a conflicting transaction, and gives up with a 503', async () => {
    dynamoDb.on(TransactWriteItemsCommand).rejectsOnce(cancelled('TransactionConflict', 'None')).resolves({});
    await expect(store.revoke(revocation)).resolves.toBe('revoked');

    dynamoDb.reset();
    dynamoDb.on(TransactWriteItemsCommand).rejects(cancelled('None', 'TransactionConflict'));
    await expect(store.revoke(revocation)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(dynamoDb.commandCalls(TransactWriteItemsCommand)).toHaveLength(4);
  });

  it('answers a revocation of an unknown family `unknown`', async () => {
    dynamoDb.on(TransactWriteItemsCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    await expect(store.revoke(revocation)).resolves.toBe('unknown');
  });

  it('answers a taken id at creation `collision`', async () => {
    dynamoDb.on(TransactWriteItemsCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    await expect(
      store.create({
        family: {
          familyId: 'fam',
          sessionId: 'sid',
          userId: 'u1',
          username: 'alice',
          roles: [],
          currentHash: 'h',
          absoluteExpiresAtMs: 9000,
        },
        expiresAtSeconds: 99,
      }),
    ).resolves.toBe('collision');
  });

  it('turns every other SDK failure into DependencyUnavailableError', async () => {
    dynamoDb.on(UpdateItemCommand).rejects(throttled());
    dynamoDb.on(GetItemCommand).rejects(throttled());
    dynamoDb.on(TransactWriteItemsCommand).rejects(cancelled('ThrottlingError', 'None'));
    const failures = await Promise.allSettled([
      store.rotate(rotation),
      store.findFamily('fam'),
      store.findFamilyIdOfSession('sid'),
      store.isRevoked('sid'),
      store.revoke(revocation),
    ]);
    for (const failure of failures) {
      expect(failure.status).toBe('rejected');
      expect((failure as PromiseRejectedResult).reason).toBeInstanceOf(DependencyUnavailableError);
    }
  });

  it('refuses a family item without the expected attributes instead of guessing', async () => {
    dynamoDb.on(GetItemCommand).resolves({ Item: { pk: { S: 'family#fam' }, sessionId: { S: 'sid' } } });
    await expect(store.findFamily('fam')).rejects.toThrow(/does not have the expected attributes/);
  });
});
