import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseRuntimeConfig } from '../../shared/config/runtime-config.js';
import { benchEvent } from '../bench-event.js';
import type { FirstRequest } from '../cold-start/measure-cold-starts.js';

/** How the hand-written baseline appears in the bench's tables. */
export const baselineId = 'hand-written';
export const baselineEntry = 'bench/baseline/hand-written-handler.ts';

/** It verifies the access tokens Bulwark issues, so it expects Bulwark's default issuer and audience. */
const { issuer, audience } = parseRuntimeConfig({}).tokens;

/** The baseline's own table: one item per user, keyed by the token's subject. */
export const createProfilesTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'user_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'user_id', KeyType: 'HASH' }],
    }),
  );
};

/** The variables the baseline reads; clients take region, credentials and endpoints from AWS's own. */
export const baselineEnvironment = (options: {
  readonly profilesTableName: string;
  /** The JWKS document of the public keys: Bulwark's verification-key secret. */
  readonly publicKeysSecretId: string;
  readonly allowedOrigin: string;
}): Record<string, string> => ({
  PROFILES_TABLE_NAME: options.profilesTableName,
  JWT_PUBLIC_KEYS_SECRET_ID: options.publicKeysSecretId,
  JWT_ISSUER: issuer,
  JWT_AUDIENCE: audience,
  ALLOWED_ORIGIN: options.allowedOrigin,
});

/** `PATCH /profile` changing the display name (no password, so no bcrypt): 200 with the profile. */
export const baselineRequest = (options: {
  readonly authorization: string;
  readonly sample: number;
  readonly sourceIp?: string;
}): FirstRequest => ({
  event: benchEvent({
    method: 'PATCH',
    path: '/profile',
    headers: { Authorization: options.authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify({ display_name: `Bench user ${options.sample}` }),
    sequence: options.sample,
    ...(options.sourceIp === undefined ? {} : { sourceIp: options.sourceIp }),
  }),
  expectedStatus: 200,
});
