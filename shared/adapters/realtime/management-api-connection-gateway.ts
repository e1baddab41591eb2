import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionGateway } from '../../domain/realtime/connection-gateway.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';
import { withCallDeadline } from '../aws/with-call-deadline.js';

/**
 * The management API (`@connections`) of a WebSocket stage: `https://{api}.execute-api.{region}.amazonaws.com/{stage}`
 * on AWS, the local emulator's `http://127.0.0.1:<port>/<stage>` in `npm start`. Two attempts of `attemptMs`
 * and the whole call aborted after both, like every backend call on the request path. The emulator accepts
 * any signature, so a plain-HTTP (local) endpoint gets fixed dummy credentials; production refuses one.
 */
export const createManagementApiClient = (options: {
  readonly endpoint: string;
  readonly region: string;
  readonly attemptMs: number;
}): ApiGatewayManagementApiClient =>
  withCallDeadline(
    new ApiGatewayManagementApiClient({
      endpoint: options.endpoint,
      region: options.region,
      maxAttempts: 2,
      requestHandler: {
        requestTimeout: options.attemptMs,
        connectionTimeout: options.attemptMs,
        throwOnRequestTimeout: true,
      },
      ...(options.endpoint.startsWith('http:')
        ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
    }),
    2 * options.attemptMs,
  );

const isGone = (error: unknown): boolean =>
  (error as { name?: unknown } | null)?.name === 'GoneException' ||
  (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode === 410;

const encoder = new TextEncoder();

/** ConnectionGateway over the management API: 410 is `gone`, any other failure a 503 of `apigateway`. */
export const managementApiConnectionGateway = (client: ApiGatewayManagementApiClient): ConnectionGateway => {
  const call = async <T extends string>(attempt: () => Promise<unknown>, done: T): Promise<T | 'gone'> => {
    try {
      await attempt();
      return done;
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw new DependencyUnavailableError('apigateway', error);
    }
  };
  return {
    send: (connectionId, data) =>
      call(
        () =>
          client.send(
            new PostToConnectionCommand({ ConnectionId: connectionId, Data: encoder.encode(data) }),
          ),
        'sent',
      ),
    close: (connectionId) =>
      call(() => client.send(new DeleteConnectionCommand({ ConnectionId: connectionId })), 'closed'),
  };
};
