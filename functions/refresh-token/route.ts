import { tokenPairBody, tokenPairOf } from '../../shared/auth/tokens/token-pair-body.js';
import { publicRoute } from '../../shared/chain/public-route.js';
import { refreshInput } from '../../shared/domain/users/log-in-input.js';
import type { Role } from '../../shared/domain/users/user.js';
import { RefreshSupersededError, RefreshTokenInvalidError } from '../../shared/errors/auth-errors.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { refreshSessionsFor } from '../../shared/runtime/refresh-sessions-for.js';
import { tokenIssuerFor } from '../../shared/runtime/token-issuer-for.js';

/**
 * Exactly one of any number of concurrent refreshes with one token gets a successor; the others, within
 * the grace window, get 409 and nothing else. A replayed token revokes its whole session (ADR 0007).
 */
const responses = {
  200: { description: 'The successor pair; the presented token is spent', body: tokenPairBody },
} as const;

export const route = publicRoute(
  routes,
  'refresh-token',
  {
    body: refreshInput,
    responses,
    problems: ['invalid-credentials', 'refresh-superseded'],
  },
  async (runtime) => {
    const tokens = tokenIssuerFor(runtime);
    await tokens.ready();
    const sessions = refreshSessionsFor(runtime);
    return async ({ body, log }) => {
      const result = await sessions.rotate(body.refresh_token);
      if (result.outcome === 'superseded') throw new RefreshSupersededError();
      if (result.outcome === 'reuse_detected') {
        log.warn('refresh token reuse detected: session revoked', { session_id: result.sessionId });
        throw new RefreshTokenInvalidError();
      }
      if (result.outcome === 'invalid') throw new RefreshTokenInvalidError();
      const { session } = result;
      const access = await tokens.issuer.issue({
        subject: session.userId,
        sessionId: session.sessionId,
        username: session.username,
        roles: session.roles as readonly Role[],
      });
      return jsonResponse(200, tokenPairOf(access, result.refreshToken));
    };
  },
);
