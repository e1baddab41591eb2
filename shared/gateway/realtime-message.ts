import type { ClientMessage } from '../domain/realtime/client-message.js';
import { parseClientMessage } from '../domain/realtime/client-message.js';
import { holdsOneOf } from '../domain/realtime/datasource.js';
import type { ConnectionRecord } from '../domain/realtime/realtime-store.js';
import {
  ChannelNotCoveredError,
  ConnectionUnknownError,
  DatasourceNotFoundError,
  DatasourceRoleMissingError,
  SubscriptionLimitError,
} from '../errors/realtime-errors.js';
import { actionFrame, errorFrame } from '../http/realtime-frames.js';
import type { RequestLogger } from '../logging/request-logger.js';
import { addressSubject } from '../middlewares/realtime-limit.js';
import type { GatewayFunction } from '../routes/realtime-gateway.js';
import { realtimeLimiterFor } from '../runtime/realtime-limiter-for.js';
import { realtimeStoreFor } from '../runtime/realtime-store-for.js';
import type { Runtime } from '../runtime/runtime.js';
import { type GatewayModule, gatewayModule } from './gateway-module.js';
import type { WebSocketEvent, WebSocketResult } from './websocket-event.js';

/** Subscriptions live as long as the connection can (API Gateway's 2 hours), then TTL cleans up. */
const subscriptionLifetimeSeconds = 2 * 60 * 60 + 10 * 60;

/** One frame back to the sender (the `$default` route has a route response, so the body is sent). */
const reply = (frame: string): WebSocketResult => ({ statusCode: 200, body: frame });

const messageSetup = (runtime: Runtime) => {
  const { config, counters, clock } = runtime;
  const store = realtimeStoreFor(runtime);
  const limits = realtimeLimiterFor(runtime);
  const { maxSubscriptionsPerConnection: maxSubscriptions, messageMaxBytes } = config.realtime;

  const subscribe = async (connection: ConnectionRecord, message: ClientMessage, log: RequestLogger) => {
    const { channel } = message;
    const nowMs = clock.nowMs();
    let apiKeyHolds: Parameters<typeof store.subscribe>[0]['apiKeyHolds'];
    if (channel.kind === 'datasource') {
      // A token covers one datasource; its roles are checked again at the datasource as it is now.
      if (channel.id !== connection.datasourceId) throw new ChannelNotCoveredError();
      const datasource = await store.getDatasource(channel.id);
      if (datasource === undefined) throw new DatasourceNotFoundError();
      if (!holdsOneOf(connection.principal.roles, datasource.readRoles))
        throw new DatasourceRoleMissingError('read');
      // An API key's roles change without closing its session (it has none): its record decides, in the
      // subscribe's own transaction. A user's role change revokes the sessions, which closes the socket.
      if (connection.principal.kind === 'api_key')
        apiKeyHolds = { keyId: connection.principal.id, anyOfRoles: datasource.readRoles, nowMs };
    } else if (!connection.channels.includes(message.channelName)) {
      // Public channels: any connection, limited per client address (resolved and stored at $connect).
      await limits.enforce('public_subscribe_ip', addressSubject(connection.clientIp), log);
    }
    const result = await store.subscribe({
      connectionId: connection.connectionId,
      channel: message.channelName,
      maxSubscriptions,
      expiresAtSeconds: Math.floor(nowMs / 1000) + subscriptionLifetimeSeconds,
      ...(apiKeyHolds === undefined ? {} : { apiKeyHolds }),
    });
    if (result === 'role_missing') throw new DatasourceRoleMissingError('read');
    if (result === 'limit_reached') throw new SubscriptionLimitError(maxSubscriptions);
    if (result === 'connection_gone') throw new ConnectionUnknownError();
    log.info('realtime subscribed', { connection_id: connection.connectionId, channel: message.channelName });
  };

  const act = async (connectionId: string, message: ClientMessage, log: RequestLogger): Promise<string> => {
    const connection = await store.getConnection(connectionId);
    if (connection === undefined) throw new ConnectionUnknownError();
    if (message.action === 'unsubscribe') {
      await store.unsubscribe({ connectionId, channel: message.channelName });
      return actionFrame('unsubscribed', message.channelName, message.id);
    }
    await subscribe(connection, message, log);
    return actionFrame('subscribed', message.channelName, message.id);
  };

  return async (event: WebSocketEvent, { requestId, log }: { requestId: string; log: RequestLogger }) => {
    const connectionId = event.requestContext.connectionId;
    const parsed = parseClientMessage(event.body, {
      maxBytes: messageMaxBytes,
      ...(event.isBase64Encoded === undefined ? {} : { isBase64Encoded: event.isBase64Encoded }),
    });
    const id = parsed.ok ? parsed.message.id : parsed.id;
    try {
      if (!parsed.ok) throw parsed.error;
      return reply(await act(connectionId, parsed.message, log));
    } catch (error) {
      // Every failure is an error frame to the sender, never a crash and never a dropped message.
      const frame = errorFrame(error, requestId, { id });
      const status = (JSON.parse(frame) as { status: number }).status;
      counters.count('realtime_message_rejected', { status: String(status) });
      if (status >= 500) log.error('realtime message failed', { connection_id: connectionId, status, error });
      else log.info('realtime message refused', { connection_id: connectionId, status });
      return reply(frame);
    }
  };
};

/** `$default` of the realtime gateway: every client message (subscribe, unsubscribe). */
export const realtimeMessage = (
  table: readonly GatewayFunction[],
): GatewayModule<'realtime-message', WebSocketEvent, WebSocketResult> =>
  gatewayModule(table, 'realtime-message', messageSetup);
