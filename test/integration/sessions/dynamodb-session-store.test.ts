import { randomBytes } from 'node:crypto';
import {
  type DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbSessionStore } from '../../../shared/adapters/dynamodb/dynamodb-session-store.js';
import { sessionRevocationKey } from '../../../shared/domain/sessions/session-revocation-key.js';
import { describeSessionStoreContract } from '../../unit/sessions/session-store-contract.js';
import { createSessionsTestTable } from './sessions-test-table.js';

let client: DynamoDBClient;
let tableName: string;

beforeAll(async () => {
  ({ client, tableName } = await createSessionsTestTable());
});
afterAll(() => client.destroy());

describeSessionStoreContract('DynamoDB adapter on DynamoDB Local', () =>
  dynamoDbSessionStore(client, tableName),
);

describe('the session revocation condition for other writers', () => {
  const guardedWrite = (sessionId: string) =>
    client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          // What the rate limiter's transaction carries for an access token (dynamodb-rate-limit-store).
          {
            ConditionCheck: {
              TableName: tableName,
              Key: { pk: { S: sessionRevocationKey(sessionId) } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: tableName, Item: { pk: { S: `probe#${sessionId}` } } } },
        ],
      }),
    );

  it('lets a transaction through for a live session and cancels it at index 0 for a revoked one', async () => {
    const store = dynamoDbSessionStore(client, tableName);
    const familyId = randomBytes(16).toString('base64url');
    const sessionId = randomBytes(16).toString('base64url');
    await store.create({
      family: {
        familyId,
        sessionId,
        userId: 'u',
        username: 'guarded',
        roles: [],
        currentHash: randomBytes(32).toString('base64url'),
        absoluteExpiresAtMs: Date.UTC(2030, 0, 8),
      },
      expiresAtSeconds: Date.UTC(2030, 0, 9) / 1000,
    });
    await expect(guardedWrite(sessionId)).resolves.toBeDefined();
    await store.revoke({
      familyId,
      sessionId,
      reason: 'logout',
      revokedAtMs: Date.UTC(2030, 0, 7),
      markerExpiresAtSeconds: Date.UTC(2030, 0, 8) / 1000,
    });
    const refused = await guardedWrite(sessionId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TransactionCanceledException);
    expect((refused as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'ConditionalCheckFailed',
      'None',
    ]);
    expect(sessionRevocationKey(sessionId)).toBe(`revoked#${sessionId}`);
  });

  it('treats any item at the revocation key as revoked', async () => {
    const sessionId = randomBytes(16).toString('base64url');
    await client.send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: sessionRevocationKey(sessionId) } } }),
    );
    await expect(dynamoDbSessionStore(client, tableName).isRevoked(sessionId)).resolves.toBe(true);
  });
});
