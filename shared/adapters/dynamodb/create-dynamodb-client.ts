import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withCallDeadline } from '../aws/with-call-deadline.js';

export interface DynamoDbClientOptions {
  readonly region: string;
  /** DynamoDB Local in development and tests; unset on AWS. */
  readonly endpoint: string | undefined;
  readonly maxAttempts?: number;
  /** Per attempt: connecting, and then waiting for the whole answer. */
  readonly requestTimeoutMs?: number;
  readonly connectionTimeoutMs?: number;
}

/**
 * Bounded so an outage or a hung backend surfaces as a 503 instead of holding the request to the
 * Lambda timeout: each attempt throws after `requestTimeoutMs` (the SDK only logs unless told to throw),
 * and each call is aborted after `maxAttempts × requestTimeoutMs` whatever the retries and their backoff
 * do. DynamoDB Local accepts any credentials, so a local endpoint gets fixed dummy ones.
 */
export const createDynamoDbClient = (options: DynamoDbClientOptions): DynamoDBClient => {
  const maxAttempts = options.maxAttempts ?? 3;
  const requestTimeoutMs = options.requestTimeoutMs ?? 3_000;
  const client = new DynamoDBClient({
    region: options.region,
    maxAttempts,
    requestHandler: {
      requestTimeout: requestTimeoutMs,
      connectionTimeout: options.connectionTimeoutMs ?? Math.min(1_000, requestTimeoutMs),
      throwOnRequestTimeout: true,
    },
    ...(options.endpoint === undefined
      ? {}
      : {
          endpoint: options.endpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
  });
  return withCallDeadline(client, maxAttempts * requestTimeoutMs);
};
