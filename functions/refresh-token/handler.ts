import { refreshInput } from '../../shared/domain/users/log-in-input.js';
import type { Role } from '../../shared/domain/users/user.js';
import { RefreshSupersededError, RefreshTokenInvalidError } from '../../shared/errors/auth-errors.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);
await services.assertSecrets({ signingKeys: true });

/**
 * Exactly one of any number of concurrent refreshes with one token gets a successor; the others, within
 * the grace window, get 409 and nothing else. A replayed token revokes its whole session (ADR 0007).
 */
export const handler = await createSecureHandler(
  runtime,
  { ...routeSecurity(runtime, 'refresh-token'), body: refreshInput },
  async ({ body, log }) => {
    const result = await services.sessions().rotate(body.refresh_token);
    if (result.outcome === 'superseded') throw new RefreshSupersededError();
    if (result.outcome === 'reuse_detected') {
      log.warn('refresh token reuse detected: session revoked', { session_id: result.sessionId });
      throw new RefreshTokenInvalidError();
    }
    if (result.outcome === 'invalid') throw new RefreshTokenInvalidError();
    const { session } = result;
    const access = await services.tokenIssuer().issue({
      subject: session.userId,
      sessionId: session.sessionId,
      username: session.username,
      roles: session.roles as readonly Role[],
    });
    return jsonResponse(200, {
      access_token: access.token,
      token_type: access.tokenType,
      expires_in: access.expiresInSeconds,
      refresh_token: result.refreshToken,
    });
  },
);
