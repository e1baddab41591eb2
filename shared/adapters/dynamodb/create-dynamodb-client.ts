import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoDbClientOptions {
  readonly region: string;
  /** DynamoDB Local in development and tests; unset on AWS. */
  readonly endpoint: string | undefined;
  readonly maxAttempts?: number;
  readonly requestTimeoutMs?: number;
  readonly connectionTimeoutMs?: number;
}

/**
 * Bounded timeouts so an outage surfaces as a 503 within seconds instead of hanging to the Lambda
 * timeout. DynamoDB Local accepts any credentials, so a local endpoint gets fixed dummy ones.
 */
export const createDynamoDbClient = (options: DynamoDbClientOptions): DynamoDBClient =>
  new DynamoDBClient({
    region: options.region,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 3_000,
      connectionTimeout: options.connectionTimeoutMs ?? 1_000,
    },
    ...(options.endpoint === undefined
      ? {}
      : {
          endpoint: options.endpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
  });
