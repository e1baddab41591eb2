/**
 * The real SDK clients against a server on loopback that accepts connections and then answers late or
 * never: every call must fail within its deadline (attempts × attempt timeout), as a domain error.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { dynamoDbUsersRepository } from '../../../shared/adapters/dynamodb/dynamodb-users-repository.js';
import { createSecretsManagerClient } from '../../../shared/adapters/secrets/create-secrets-manager-client.js';
import { secretsManagerSecretStore } from '../../../shared/adapters/secrets/secrets-manager-secret-store.js';
import { DependencyUnavailableError } from '../../../shared/errors/request-errors.js';
import { rejectionOf } from '../../support/rejection-of.js';

const attemptMs = 200;
/** Two attempts; the slack covers a loaded two-core machine. Without a deadline these calls hang. */
const withinMs = 2 * attemptMs + 600;

let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();
/** `silent`: reads the request, never answers. `late`: answers a valid empty JSON object after 5 s. */
let behaviour: 'silent' | 'late' = 'silent';

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (behaviour === 'late') {
        setTimeout(() => {
          if (!socket.destroyed) {
            socket.write(
              'HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: 2\r\n\r\n{}',
            );
          }
        }, 5_000).unref();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const timed = async <T>(promise: Promise<T>): Promise<{ error: unknown; elapsedMs: number }> => {
  const started = performance.now();
  const error = await rejectionOf(promise);
  return { error, elapsedMs: performance.now() - started };
};

describe.each(['silent', 'late'] as const)('a backend that is %s', (mode) => {
  it('fails a DynamoDB call within two attempt timeouts, as the adapter’s 503-class error', async () => {
    behaviour = mode;
    const client = createDynamoDbClient({
      region: 'local',
      endpoint,
      maxAttempts: 2,
      requestTimeoutMs: attemptMs,
      connectionTimeoutMs: attemptMs,
    });
    try {
      const { error, elapsedMs } = await timed(dynamoDbUsersRepository(client, 'users').get('alice'));
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(elapsedMs).toBeLessThan(withinMs);
    } finally {
      client.destroy();
    }
  });

  it('fails a Secrets Manager read within two attempt timeouts, as DependencyUnavailableError', async () => {
    behaviour = mode;
    const client = createSecretsManagerClient({ region: 'eu-west-1', attemptMs, endpoint });
    try {
      const { error, elapsedMs } = await timed(secretsManagerSecretStore(client).getSecretJson('any'));
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(elapsedMs).toBeLessThan(withinMs);
    } finally {
      client.destroy();
    }
  });
});

describe('withCallDeadline', () => {
  it('keeps a caller’s own abort signal working alongside the deadline', async () => {
    behaviour = 'silent';
    const client = createDynamoDbClient({
      region: 'local',
      endpoint,
      maxAttempts: 1,
      requestTimeoutMs: 5_000,
    });
    try {
      const started = performance.now();
      const error = await rejectionOf(
        client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }), {
          abortSignal: AbortSignal.timeout(50),
        }),
      );
      expect((error as Error).name).toMatch(/Abort/);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      client.destroy();
    }
  });
});
