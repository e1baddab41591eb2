import * as z from 'zod/mini';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { datasourceTokenHash, isDatasourceToken } from '../../shared/domain/realtime/datasource-token.js';
import { roles } from '../../shared/domain/users/user.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { apiKeyStoreFor } from '../../shared/runtime/api-key-store-for.js';
import { realtimeStoreFor } from '../../shared/runtime/realtime-store-for.js';
import { refreshSessionsFor } from '../../shared/runtime/refresh-sessions-for.js';

const introspectBody = z.strictObject({ token: z.string().check(z.minLength(1), z.maxLength(256)) });

const introspection = z
  .union([
    z.strictObject({ active: z.literal(false) }),
    z.strictObject({
      active: z.literal(true),
      datasource: z.string(),
      principal: z.strictObject({
        kind: z.enum(['user', 'api_key', 'auth_disabled']),
        id: z.string(),
        roles: z.array(z.enum(roles)),
      }),
      session_id: z
        .optional(z.string())
        .clone()
        .register(z.globalRegistry, { description: "A user's refresh session, when it has one" }),
      token_id: z.string(),
      expires_at: z.iso.datetime({ offset: true }),
    }),
  ])
  .clone()
  .register(z.globalRegistry, { id: 'DatasourceTokenIntrospection' });

const responses = {
  200: {
    description: 'Whether the token would connect now (and, if so, for what); never why not',
    body: introspection,
  },
} as const;

/**
 * For a self-hosted gateway (role `gateway`): whether a datasource token is active now, as `$connect`
 * would judge it (minted and not used, not expired, its session or API key not revoked, its datasource
 * still there), without consuming it. An inactive token gets `{ "active": false }` and nothing else, as
 * RFC 7662 answers, so the endpoint says nothing about why. The self-hosted gateway must still make the
 * token single-use itself (it sees each token once) or connect through the managed one.
 */
export const route = secureRoute(
  routes,
  'introspect-datasource-token',
  { body: introspectBody, responses },
  (runtime) => {
    const store = realtimeStoreFor(runtime);
    const sessions = refreshSessionsFor(runtime);
    const apiKeys = apiKeyStoreFor(runtime);
    const inactive = () => jsonResponse(200, { active: false });
    return async ({ body }) => {
      if (!isDatasourceToken(body.token)) return inactive();
      const grant = await store.findToken(datasourceTokenHash(body.token));
      if (grant === undefined || grant.expiresAtMs <= runtime.clock.nowMs()) return inactive();
      const { principal } = grant;
      const [datasource, revoked] = await Promise.all([
        store.getDatasource(grant.datasourceId),
        principal.sessionId !== undefined
          ? sessions.isSessionRevoked(principal.sessionId)
          : principal.kind === 'api_key'
            ? apiKeys.get(principal.id).then((key) => key === undefined || key.revoked)
            : Promise.resolve(false),
      ]);
      if (revoked || datasource === undefined) return inactive();
      return jsonResponse(200, {
        active: true,
        datasource: grant.datasourceId,
        principal: { kind: principal.kind, id: principal.id, roles: principal.roles },
        ...(principal.sessionId === undefined ? {} : { session_id: principal.sessionId }),
        token_id: grant.tokenId,
        expires_at: new Date(grant.expiresAtMs).toISOString(),
      });
    };
  },
);
