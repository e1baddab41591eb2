/**
 * The cold-start bench's yardstick works: the hand-written handler bundles with the functions' esbuild
 * settings, starts in a fresh process against the local Secrets Manager and DynamoDB Local, and answers
 * like the route it claims to be. No timings are asserted; figures live in docs/benchmarks.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  authBenchRuntime,
  authBenchSecrets,
  benchVerificationSecretArn,
} from '../../../bench/auth/auth-bench-runtime.js';
import {
  baselineEntry,
  baselineEnvironment,
  baselineId,
  baselineRequest,
  createProfilesTable,
} from '../../../bench/baseline/baseline-fixture.js';
import { benchOrigin } from '../../../bench/bench-runtime.js';
import { bundleEntry } from '../../../bench/build-function-bundles.js';
import { lambdaEnvironment } from '../../../bench/cold-start/cold-start-stack.js';
import { type ColdStartResult, measureColdStarts } from '../../../bench/cold-start/measure-cold-starts.js';
import {
  type SecretsManagerStandIn,
  startSecretsManagerStandIn,
} from '../../../bench/cold-start/secrets-manager-stand-in.js';
import { createDynamoDbClient } from '../../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { tokenIssuerFor } from '../../../shared/runtime/token-issuer-for.js';

let workDir: string;
let client: DynamoDBClient;
let secretsManager: SecretsManagerStandIn;
let profilesTableName: string;
let results: ColdStartResult[];
let userId: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'bulwark-baseline-test-'));
  const endpoint = inject('dynamoDbEndpoint');
  client = createDynamoDbClient({ region: 'local', endpoint });
  profilesTableName = `it-profiles-${randomBytes(6).toString('hex')}`;
  await createProfilesTable(client, profilesTableName);
  const secrets = await authBenchSecrets();
  secretsManager = await startSecretsManagerStandIn(secrets);
  const runtime = authBenchRuntime(secrets, {});
  userId = `user-${randomBytes(6).toString('hex')}`;
  const { token } = await tokenIssuerFor(runtime).issuer.issue({
    subject: userId,
    sessionId: randomBytes(16).toString('base64url'),
    username: 'baseline.user',
    roles: ['user'],
  });

  const bundle = await bundleEntry(process.cwd(), baselineId, baselineEntry, join(workDir, 'bundles'), {
    asBulwarkFunction: false,
  });
  const environment = {
    ...lambdaEnvironment({
      workDir,
      dynamoDbEndpoint: endpoint,
      secretsManagerEndpoint: secretsManager.endpoint,
    }),
    LOG_LEVEL: 'error',
    ...baselineEnvironment({
      profilesTableName,
      publicKeysSecretId: benchVerificationSecretArn,
      allowedOrigin: benchOrigin,
    }),
  };
  const unsigned = baselineRequest({ authorization: `Bearer ${token.slice(0, -4)}AAAA`, sample: 2 }).event;
  results = await measureColdStarts(
    workDir,
    [
      {
        id: 'valid-token',
        file: bundle.outfile,
        request: async () => baselineRequest({ authorization: `Bearer ${token}`, sample: 1 }),
      },
      {
        id: 'forged-token',
        file: bundle.outfile,
        request: async () => ({ event: unsigned, expectedStatus: 401 }),
      },
    ],
    environment,
    { runs: 1, warmupRuns: 0, counters: { secretsManager: secretsManager.calls, dynamoDb: () => 0 } },
  );
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await secretsManager?.close();
  await rm(workDir, { recursive: true, force: true });
});

const answerOf = (id: string) => results.find((result) => result.id === id)?.lastAnswer;

describe('the hand-written baseline handler of the cold-start bench', () => {
  it('fetches its public keys from Secrets Manager once, at init', () => {
    expect(results.map((result) => result.secretsManagerCalls)).toEqual([
      { min: 1, max: 1 },
      { min: 1, max: 1 },
    ]);
  });

  it('updates the profile of the token subject and answers 200 with CORS and security headers', async () => {
    const answer = answerOf('valid-token');
    expect(answer?.status).toBe(200);
    expect(JSON.parse(answer?.body ?? '')).toMatchObject({ user_id: userId, display_name: 'Bench user 1' });
    expect(answer?.headers).toMatchObject({
      'Access-Control-Allow-Origin': benchOrigin,
      'Strict-Transport-Security': expect.any(String),
      'X-Content-Type-Options': 'nosniff',
    });
    const stored = await client.send(
      new GetItemCommand({
        TableName: profilesTableName,
        Key: { user_id: { S: userId } },
        ConsistentRead: true,
      }),
    );
    expect(stored.Item?.display_name?.S).toBe('Bench user 1');
  });

  it('refuses a token whose signature does not verify with 401', () => {
    expect(answerOf('forged-token')?.status).toBe(401);
  });
});
