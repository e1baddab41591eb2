import { logOutInput } from '../../shared/domain/users/log-in-input.js';
import { CredentialsInvalidError } from '../../shared/errors/auth-errors.js';
import { emptyResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);

/**
 * Revokes the session of the presented access token: the token (and every other access token of the
 * session) stops working at the next request, and so does its refresh family. A refresh token in the
 * body is revoked too. An empty body is allowed.
 */
export const handler = await createSecureHandler(
  runtime,
  { ...routeSecurity(runtime, 'logout'), body: logOutInput, emptyBody: {} },
  async ({ body, principal, log }) => {
    if (principal?.kind !== 'user') throw new CredentialsInvalidError('logout_needs_access_token');
    await services.sessions().revokeSession(principal.sessionId, 'logout');
    if (body.refresh_token !== undefined)
      await services.sessions().revokeRefreshToken(body.refresh_token, 'logout');
    log.info('logout', { session_id: principal.sessionId });
    return emptyResponse(204);
  },
);
