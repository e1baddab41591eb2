import { toPublicUser } from '../../shared/domain/users/user.js';
import { CredentialsInvalidError } from '../../shared/errors/auth-errors.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);

/** The caller: the user behind an access token, or the API key's id and roles. */
export const handler = await createSecureHandler(
  runtime,
  routeSecurity(runtime, 'current-user'),
  async ({ principal }) => {
    if (principal?.kind === 'user') {
      const user = await services.users().get(principal.username);
      // A user recreated under the same name is someone else: the old token's subject no longer exists.
      if (user === undefined || user.id !== principal.id) throw new CredentialsInvalidError('subject_gone');
      return jsonResponse(200, { kind: 'user', ...toPublicUser(user) });
    }
    if (principal?.kind === 'api_key')
      return jsonResponse(200, { kind: 'api_key', key_id: principal.id, roles: principal.roles });
    return jsonResponse(200, { kind: 'development', roles: principal?.roles ?? [] });
  },
);
