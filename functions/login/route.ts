import bcrypt from 'bcryptjs';
import { tokenPairBody, tokenPairOf } from '../../shared/auth/tokens/token-pair-body.js';
import { publicRoute } from '../../shared/chain/public-route.js';
import { dummyPasswordHashFor } from '../../shared/domain/users/dummy-password-hash.js';
import { logIn } from '../../shared/domain/users/log-in.js';
import { logInInput } from '../../shared/domain/users/log-in-input.js';
import { clientAddressKey } from '../../shared/http/client-address-key.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { loginThrottleFor } from '../../shared/runtime/login-throttle-for.js';
import { refreshSessionsFor } from '../../shared/runtime/refresh-sessions-for.js';
import { tokenIssuerFor } from '../../shared/runtime/token-issuer-for.js';
import { usersFor } from '../../shared/runtime/users-for.js';

/** Username and password for an access token and a refresh token, throttled per account and address. */
const responses = {
  200: { description: 'A new session: an access token and a refresh token', body: tokenPairBody },
} as const;

export const route = publicRoute(
  routes,
  'login',
  {
    body: logInInput,
    responses,
    problems: ['invalid-credentials', 'login-throttled'],
  },
  async (runtime) => {
    const tokens = tokenIssuerFor(runtime);
    await tokens.ready();
    const dependencies = {
      users: usersFor(runtime),
      throttle: loginThrottleFor(runtime),
      verifyPassword: (password: string, hash: string) => bcrypt.compare(password, hash),
      dummyPasswordHash: dummyPasswordHashFor(runtime.config.passwordBcryptCost),
      startSession: refreshSessionsFor(runtime).start,
    };
    return async ({ body, clientIp, log }) => {
      const { user, session } = await logIn(dependencies, { ...body, clientIp: clientAddressKey(clientIp) });
      const access = await tokens.issuer.issue({
        subject: user.id,
        sessionId: session.sessionId,
        username: user.username,
        roles: user.roles,
      });
      log.info('login succeeded', { user_id: user.id, session_id: session.sessionId });
      return jsonResponse(200, tokenPairOf(access, session.refreshToken));
    };
  },
);
