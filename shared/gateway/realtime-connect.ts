import { datasourceTokenHash, isDatasourceToken } from '../domain/realtime/datasource-token.js';
import { CredentialsInvalidError, CredentialsMissingError } from '../errors/auth-errors.js';
import { BulwarkError } from '../errors/bulwark-error.js';
import { problemResponse } from '../http/problem-response.js';
import { forwardedEntries, trustedClientAddress, trustHopWarnings } from '../http/trusted-client-address.js';
import type { RequestLogger } from '../logging/request-logger.js';
import { addressSubject, principalSubject } from '../middlewares/realtime-limit.js';
import type { GatewayFunction } from '../routes/realtime-gateway.js';
import { realtimeLimiterFor } from '../runtime/realtime-limiter-for.js';
import { realtimeStoreFor } from '../runtime/realtime-store-for.js';
import type { Runtime } from '../runtime/runtime.js';
import { type GatewayModule, gatewayModule } from './gateway-module.js';
import { headerValuesOf, type WebSocketEvent, type WebSocketResult } from './websocket-event.js';

/** The subprotocol of Bulwark's realtime frames; the gateway echoes it and nothing else. */
export const REALTIME_SUBPROTOCOL = 'bulwark.v1';

/** API Gateway closes every connection after 2 hours; its items live a little longer, then TTL cleans up. */
const connectionLifetimeSeconds = 2 * 60 * 60 + 10 * 60;

export class SubprotocolMissingError extends BulwarkError {
  constructor() {
    super('malformed-request', {
      detail: `Offer the subprotocol ${REALTIME_SUBPROTOCOL} and the datasource token in Sec-WebSocket-Protocol.`,
    });
    this.name = 'SubprotocolMissingError';
  }
}

export class TokenDatasourceMissingError extends BulwarkError {
  constructor() {
    super('forbidden', { detail: 'The datasource this token was minted for no longer exists.' });
    this.name = 'TokenDatasourceMissingError';
  }
}

/**
 * The offered subprotocols: `bulwark.v1` and exactly one other entry, the datasource token (`bdt_...`, a
 * valid protocol token). Anything else is refused; the token is never echoed.
 */
export const tokenFromSubprotocols = (values: readonly string[]): string => {
  const offered = values
    .flatMap((value) => value.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (!offered.includes(REALTIME_SUBPROTOCOL)) throw new SubprotocolMissingError();
  const others = offered.filter((entry) => entry !== REALTIME_SUBPROTOCOL);
  if (others.length === 0) throw new CredentialsMissingError(undefined);
  if (others.length > 1) throw new CredentialsInvalidError('several_tokens');
  return others[0] ?? '';
};

/** The client address of a `$connect`: the same trust-hop rules (and warnings) as the REST chain. */
export const connectClientIp = (
  event: WebSocketEvent,
  trustProxyHops: number,
  log: RequestLogger,
): string => {
  const resolved = trustedClientAddress({
    socketAddress: event.requestContext.identity.sourceIp,
    forwardedFor: forwardedEntries(headerValuesOf(event, 'x-forwarded-for')),
    trustProxyHops,
  });
  if (resolved.warning !== undefined) {
    log.warn(trustHopWarnings[resolved.warning], {
      trust_proxy_hops: trustProxyHops,
      ...(resolved.forwardedEntries === undefined ? {} : { forwarded_entries: resolved.forwardedEntries }),
    });
  }
  return resolved.address;
};

const connectSetup = (runtime: Runtime) => {
  const { config, counters, clock } = runtime;
  const limits = realtimeLimiterFor(runtime);
  const store = realtimeStoreFor(runtime);
  if (config.realtime.limiterFailureMode === 'fail-open') {
    runtime.logger.warn('realtime limiter fails open: a DynamoDB outage admits every connect');
  }

  const open = async (event: WebSocketEvent, log: RequestLogger): Promise<WebSocketResult> => {
    const clientIp = connectClientIp(event, config.realtime.trustProxyHops, log);
    const token = tokenFromSubprotocols(headerValuesOf(event, 'sec-websocket-protocol'));
    if (!isDatasourceToken(token)) throw new CredentialsInvalidError('token_malformed');
    // Per address first: floods of made-up tokens spend the address's budget before any token lookup.
    await limits.enforce('connect_ip', addressSubject(clientIp), log);
    const nowMs = clock.nowMs();
    // Single use: one conditional delete; of concurrent connects with one token exactly one gets it.
    const consumed = await store.consumeToken(datasourceTokenHash(token), nowMs);
    if (consumed.outcome !== 'consumed') throw new CredentialsInvalidError(`token_${consumed.outcome}`);
    const { grant } = consumed;
    await limits.enforce('connect_principal', principalSubject(grant.principal), log);
    const connectionId = event.requestContext.connectionId;
    const result = await store.openConnection({
      connection: {
        connectionId,
        principal: grant.principal,
        datasourceId: grant.datasourceId,
        clientIp,
        connectedAtMs: nowMs,
      },
      expiresAtSeconds: Math.floor(nowMs / 1000) + connectionLifetimeSeconds,
    });
    if (result === 'revoked') throw new CredentialsInvalidError('revoked');
    if (result === 'datasource_missing') throw new TokenDatasourceMissingError();
    log.info('realtime connection opened', {
      connection_id: connectionId,
      datasource: grant.datasourceId,
      principal_id: grant.principal.id,
      token_id: grant.tokenId,
    });
    counters.count('realtime_connect_accepted', {});
    return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': REALTIME_SUBPROTOCOL } };
  };

  return async (event: WebSocketEvent, { requestId, log }: { requestId: string; log: RequestLogger }) => {
    try {
      return await open(event, log);
    } catch (error) {
      // The handshake is refused with the problem's status (a browser sees only that it failed; the mint
      // route is where it learns why). The token is never logged, echoed or put in the answer.
      const response = problemResponse(error, requestId);
      counters.count('realtime_connect_rejected', { status: String(response.statusCode) });
      if (response.statusCode >= 500)
        log.error('realtime connect failed', { status: response.statusCode, error });
      else
        log.info('realtime connect refused', {
          status: response.statusCode,
          reason:
            (error as { reason?: unknown }).reason ?? (error instanceof BulwarkError ? error.code : 'error'),
        });
      return {
        statusCode: response.statusCode,
        headers: Object.fromEntries(
          Object.entries(response.headers ?? {}).map(([name, value]) => [name, String(value)]),
        ),
        body: response.body,
      };
    }
  };
};

/** `$connect` of the realtime gateway (ADR 0014). */
export const realtimeConnect = (
  table: readonly GatewayFunction[],
): GatewayModule<'realtime-connect', WebSocketEvent, WebSocketResult> =>
  gatewayModule(table, 'realtime-connect', connectSetup);
