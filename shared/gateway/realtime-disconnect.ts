import type { GatewayFunction } from '../routes/realtime-gateway.js';
import { realtimeStoreFor } from '../runtime/realtime-store-for.js';
import type { Runtime } from '../runtime/runtime.js';
import { type GatewayInvocation, type GatewayModule, gatewayModule } from './gateway-module.js';
import type { WebSocketEvent, WebSocketResult } from './websocket-event.js';

const disconnectSetup = (runtime: Runtime) => {
  const store = realtimeStoreFor(runtime);
  return async (event: WebSocketEvent, { log }: GatewayInvocation) => {
    const { connectionId, disconnectStatusCode } = event.requestContext;
    try {
      await store.removeConnection(connectionId);
      log.info('realtime connection closed', {
        connection_id: connectionId,
        close_code: disconnectStatusCode,
      });
    } catch (error) {
      // API Gateway ignores the answer. Items left behind expire by TTL, and a publish forgets a gone one.
      runtime.counters.count('dependency_unavailable', {
        route: 'realtime-disconnect',
        dependency: 'dynamodb',
      });
      log.error('realtime disconnect: connection not removed', { connection_id: connectionId, error });
    }
    return { statusCode: 200 };
  };
};

/**
 * `$disconnect` of the realtime gateway: forgets the connection. API Gateway delivers it best effort, so
 * nothing depends on it: a publish removes a connection found gone, and every item expires by TTL.
 */
export const realtimeDisconnect = (
  table: readonly GatewayFunction[],
): GatewayModule<'realtime-disconnect', WebSocketEvent, WebSocketResult> =>
  gatewayModule(table, 'realtime-disconnect', disconnectSetup);
