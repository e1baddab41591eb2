import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerStandIn {
  /** Point a client here: `AWS_ENDPOINT_URL_SECRETS_MANAGER`, read by every SDK client without an endpoint. */
  readonly endpoint: string;
  /** GetSecretValue, BatchGetSecretValue and DescribeSecret calls answered so far (found or not). */
  readonly calls: () => number;
  readonly close: () => Promise<void>;
}

const json = 'application/x-amz-json-1.1';
const operations = new Set([
  'secretsmanager.GetSecretValue',
  'secretsmanager.BatchGetSecretValue',
  'secretsmanager.DescribeSecret',
]);

/** A secret's AWSCURRENT value as GetSecretValue answers it, and BatchGetSecretValue lists it. */
const secretValueOf = (secretId: string, value: unknown) => ({
  ARN: secretId,
  Name: secretId.split(':').at(-1),
  VersionId: '00000000-0000-4000-8000-000000000001',
  SecretString: JSON.stringify(value),
  VersionStages: ['AWSCURRENT'],
  CreatedDate: 1_767_225_600,
});

/**
 * A local Secrets Manager that answers `GetSecretValue` and `BatchGetSecretValue` (AWSCURRENT) from a fixed
 * map of JSON secrets,
 * over the real wire protocol (awsJson1_1), so a function's own SDK client makes the same request it
 * makes on Lambda: credential resolution, signing and the HTTP round trip, minus the network. It checks
 * no signature. Anything else is refused as an unknown operation.
 */
export const startSecretsManagerStandIn = async (
  secrets: Readonly<Record<string, unknown>>,
  /** Serve HTTPS with this key and certificate, as Secrets Manager does. */
  tls?: { readonly key: string; readonly cert: string },
): Promise<SecretsManagerStandIn> => {
  let calls = 0;
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const fail = (status: number, type: string, message: string) => {
        response.writeHead(status, { 'Content-Type': json, 'X-Amzn-ErrorType': type });
        response.end(JSON.stringify({ __type: type, message }));
      };
      if (!operations.has(target)) {
        fail(
          400,
          'UnknownOperationException',
          `the stand-in answers GetSecretValue, BatchGetSecretValue and DescribeSecret only, not ${target}`,
        );
        return;
      }
      calls += 1;
      let body: { SecretId?: unknown; SecretIdList?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        fail(400, 'InvalidRequestException', 'the body is not JSON');
        return;
      }
      if (target === 'secretsmanager.BatchGetSecretValue') {
        const ids = Array.isArray(body.SecretIdList) ? body.SecretIdList.map(String) : [];
        response.writeHead(200, { 'Content-Type': json });
        response.end(
          JSON.stringify({
            SecretValues: ids
              .filter((id) => secrets[id] !== undefined)
              .map((id) => secretValueOf(id, secrets[id])),
            Errors: ids
              .filter((id) => secrets[id] === undefined)
              .map((id) => ({
                SecretId: id,
                ErrorCode: 'ResourceNotFoundException',
                Message: "Secrets Manager can't find the specified secret.",
              })),
          }),
        );
        return;
      }
      const secretId = String(body.SecretId);
      const value = secrets[secretId];
      if (value === undefined) {
        fail(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        return;
      }
      response.writeHead(200, { 'Content-Type': json });
      if (target === 'secretsmanager.DescribeSecret') {
        // What GET /health/full reads: rotation on, rotated a day ago, next in 29 days.
        const nowSeconds = Math.floor(Date.now() / 1000);
        response.end(
          JSON.stringify({
            ARN: secretId,
            Name: secretId.split(':').at(-1),
            RotationEnabled: true,
            LastRotatedDate: nowSeconds - 86_400,
            NextRotationDate: nowSeconds + 29 * 86_400,
            VersionIdsToStages: { '00000000-0000-4000-8000-000000000001': ['AWSCURRENT'] },
          }),
        );
        return;
      }
      response.end(JSON.stringify(secretValueOf(secretId, value)));
    });
  };
  const server = tls === undefined ? createServer(answer) : createTlsServer(tls, answer);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    calls: () => calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
