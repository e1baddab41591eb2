import bcrypt from 'bcryptjs';
import { logIn } from '../../shared/domain/users/log-in.js';
import { logInInput } from '../../shared/domain/users/log-in-input.js';
import { clientAddressKey } from '../../shared/http/client-address-key.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices, dummyPasswordHash } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);
await services.assertSecrets({ signingKeys: true });
const dependencies = {
  users: services.users(),
  throttle: services.loginThrottle(),
  verifyPassword: (password: string, hash: string) => bcrypt.compare(password, hash),
  dummyPasswordHash: await dummyPasswordHash(runtime.config.passwordBcryptCost),
  startSession: services.sessions().start,
};

export const handler = await createSecureHandler(
  runtime,
  { ...routeSecurity(runtime, 'login'), body: logInInput },
  async ({ body, clientIp, log }) => {
    const { user, session } = await logIn(dependencies, { ...body, clientIp: clientAddressKey(clientIp) });
    const access = await services.tokenIssuer().issue({
      subject: user.id,
      sessionId: session.sessionId,
      username: user.username,
      roles: user.roles,
    });
    log.info('login succeeded', { user_id: user.id, session_id: session.sessionId });
    return jsonResponse(200, {
      access_token: access.token,
      token_type: access.tokenType,
      expires_in: access.expiresInSeconds,
      refresh_token: session.refreshToken,
    });
  },
);
