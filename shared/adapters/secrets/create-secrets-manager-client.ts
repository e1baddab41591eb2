import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { withCallDeadline } from '../aws/with-call-deadline.js';

/**
 * Two attempts of `attemptMs`, each throwing when it runs out (the SDK only logs unless told to
 * throw), and the whole call aborted after both: a hung Secrets Manager costs a request at most
 * `2 × attemptMs`, never the Lambda timeout.
 */
export const createSecretsManagerClient = (options: {
  readonly region: string;
  readonly attemptMs: number;
  /** For tests only; unset on AWS. */
  readonly endpoint?: string;
}): SecretsManagerClient =>
  withCallDeadline(
    new SecretsManagerClient({
      region: options.region,
      maxAttempts: 2,
      requestHandler: {
        requestTimeout: options.attemptMs,
        connectionTimeout: options.attemptMs,
        throwOnRequestTimeout: true,
      },
      ...(options.endpoint === undefined
        ? {}
        : { endpoint: options.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    }),
    2 * options.attemptMs,
  );
