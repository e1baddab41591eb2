import * as z from 'zod/mini';
import type { Principal } from '../../shared/auth/principal.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { runtimeSettings } from '../../shared/config/runtime-settings.js';
import { holdsOneOf } from '../../shared/domain/realtime/datasource.js';
import { mintDatasourceToken } from '../../shared/domain/realtime/datasource-token.js';
import type { ConnectionPrincipal } from '../../shared/domain/realtime/realtime-store.js';
import { DatasourceNotFoundError, DatasourceRoleMissingError } from '../../shared/errors/realtime-errors.js';
import { datasourceIdOf } from '../../shared/http/datasource-path.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { addressSubject, principalSubject } from '../../shared/middlewares/realtime-limit.js';
import { routes } from '../../shared/routes/route-table.js';
import { realtimeLimiterFor } from '../../shared/runtime/realtime-limiter-for.js';
import { realtimeStoreFor } from '../../shared/runtime/realtime-store-for.js';
import { requireSetting } from '../../shared/runtime/require-setting.js';

/** A token names the principal that minted it and, for a user, the refresh session of its access token. */
const tokenPrincipalOf = (principal: Principal): ConnectionPrincipal =>
  principal.kind === 'user'
    ? { kind: 'user', id: principal.id, roles: principal.roles, sessionId: principal.sessionId }
    : { kind: principal.kind, id: principal.id, roles: principal.roles };

const responses = {
  200: {
    description: 'A token for one connection to the realtime gateway, for this datasource',
    body: z
      .strictObject({
        token: z.string().clone().register(z.globalRegistry, {
          description:
            'Offer it as a WebSocket subprotocol next to `bulwark.v1` (never in the URL); it connects once',
        }),
        expires_in: z
          .int()
          .check(z.minimum(1))
          .clone()
          .register(z.globalRegistry, { description: 'Seconds left to connect with it' }),
        url: z
          .string()
          .clone()
          .register(z.globalRegistry, { description: "The gateway's WebSocket URL (wss://)" }),
      })
      .clone()
      .register(z.globalRegistry, { id: 'DatasourceToken' }),
  },
} as const;

/**
 * The datasource token mint (ADR 0014): for a principal holding one of the datasource's read roles, a
 * token that connects once, within REALTIME_TOKEN_TTL_SECONDS, to this one datasource. The connect limits
 * per principal and per client IP are applied here, where a browser can read the 429 and its Retry-After
 * (a failed WebSocket handshake tells a browser nothing), and again at `$connect`.
 */
export const route = secureRoute(
  routes,
  'create-datasource-token',
  // 404 for an unknown datasource, 403 without one of its read roles; the connect limits are 429/503.
  { responses, problems: ['forbidden', 'not-found'] },
  (runtime) => {
    const store = realtimeStoreFor(runtime);
    const limits = realtimeLimiterFor(runtime);
    const url = requireSetting(runtimeSettings.realtime.url.variable, runtime.config.realtime.url);
    return async ({ event, principal, clientIp, log }) => {
      if (principal === undefined) throw new TypeError('an authenticated route without a principal');
      const id = datasourceIdOf(event, 'not-found');
      const datasource = await store.getDatasource(id);
      if (datasource === undefined) throw new DatasourceNotFoundError();
      if (!holdsOneOf(principal.roles, datasource.readRoles)) throw new DatasourceRoleMissingError('read');
      await limits.enforce('token_principal', principalSubject(principal), log);
      await limits.enforce('token_ip', addressSubject(clientIp), log);
      const minted = await mintDatasourceToken(
        { store, clock: runtime.clock },
        {
          principal: tokenPrincipalOf(principal),
          datasourceId: id,
          lifetimeSeconds: runtime.config.realtime.tokenTtlSeconds,
        },
      );
      log.info('datasource token issued', {
        datasource: id,
        principal_id: principal.id,
        token_id: minted.tokenId,
      });
      return jsonResponse(200, { token: minted.token, expires_in: minted.expiresInSeconds, url });
    };
  },
);
