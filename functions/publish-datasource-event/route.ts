import * as z from 'zod/mini';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { datasourceChannel } from '../../shared/domain/realtime/channel.js';
import { holdsOneOf } from '../../shared/domain/realtime/datasource.js';
import { deliverToChannel } from '../../shared/domain/realtime/realtime-connections.js';
import { DatasourceNotFoundError, DatasourceRoleMissingError } from '../../shared/errors/realtime-errors.js';
import { RequestBodyTooLargeError } from '../../shared/errors/request-errors.js';
import { datasourceIdOf } from '../../shared/http/datasource-path.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { eventFrame } from '../../shared/http/realtime-frames.js';
import { routes } from '../../shared/routes/route-table.js';
import { connectionGatewayFor } from '../../shared/runtime/connection-gateway-for.js';
import { realtimeStoreFor } from '../../shared/runtime/realtime-store-for.js';

/** API Gateway's largest WebSocket message (128 KiB): a bigger frame could never reach a client. */
const maxFrameBytes = 128 * 1024;

const responses = {
  202: {
    description: 'Sent to every connection subscribed to the datasource',
    body: z.strictObject({
      delivered: z
        .int()
        .check(z.minimum(0))
        .clone()
        .register(z.globalRegistry, { description: 'How many connections the event reached' }),
    }),
  },
} as const;

/**
 * Publishes one JSON event to every connection subscribed to `datasource:<id>`, for a principal holding
 * one of its write roles: 202 with how many connections it reached. Gone connections are forgotten on
 * the way; if the management API fails for every subscriber, the answer is 503.
 */
export const route = secureRoute(
  routes,
  'publish-datasource-event',
  {
    body: z.unknown().clone().register(z.globalRegistry, {
      description: 'Any JSON value: the `data` of the event frame subscribers get',
    }),
    responses,
    problems: ['forbidden', 'not-found'],
  },
  (runtime) => {
    const connections = { store: realtimeStoreFor(runtime), gateway: connectionGatewayFor(runtime) };
    return async ({ body, event, principal, log }) => {
      const id = datasourceIdOf(event, 'not-found');
      const datasource = await connections.store.getDatasource(id);
      if (datasource === undefined) throw new DatasourceNotFoundError();
      if (!holdsOneOf(principal?.roles ?? [], datasource.writeRoles))
        throw new DatasourceRoleMissingError('write');
      const channel = datasourceChannel(id);
      const frame = eventFrame(channel, body);
      if (Buffer.byteLength(frame, 'utf8') > maxFrameBytes) throw new RequestBodyTooLargeError(maxFrameBytes);
      const delivery = await deliverToChannel(connections, channel, frame);
      if (delivery.failures.length > 0) {
        log.error('publish: some connections could not be reached', {
          datasource: id,
          failed: delivery.failures.length,
          error: delivery.failures[0],
        });
        if (delivery.delivered === 0) throw delivery.failures[0];
      }
      log.info('event published', { datasource: id, delivered: delivery.delivered, gone: delivery.gone });
      return jsonResponse(202, { delivered: delivery.delivered });
    };
  },
);
