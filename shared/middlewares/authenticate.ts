import type { ApiKeyVerifier } from '../auth/static-api-key-verifier.js';
import type { AuthStrategy } from '../config/runtime-config.js';
import { CredentialsInvalidError, CredentialsMissingError } from '../errors/auth-errors.js';
import { headerOf, type SecureMiddleware } from '../http/secure-request.js';

export type AuthenticateOptions =
  | {
      readonly strategy: Extract<AuthStrategy, 'api_key'>;
      readonly header: string;
      readonly verifier: ApiKeyVerifier;
    }
  | { readonly strategy: Extract<AuthStrategy, 'disabled'> };

/**
 * Establishes the principal or throws 401. `disabled` (refused in production by the config) lets every
 * request through as a development admin, and says so in the log of each request.
 */
export const authenticate = (options: AuthenticateOptions): SecureMiddleware => ({
  name: 'authenticate',
  before: async (request) => {
    const state = request.context.bulwark;
    if (options.strategy === 'disabled') {
      state.log.warn('authentication disabled: request accepted without a credential');
      state.principal = { kind: 'auth_disabled', id: 'auth-disabled', roles: ['admin'] };
      return;
    }
    const presented = headerOf(request, options.header);
    if (presented === undefined || presented.length === 0) throw new CredentialsMissingError(options.header);
    if (!(await options.verifier.verify(presented))) throw new CredentialsInvalidError(options.header);
    state.principal = { kind: 'api_key', id: 'static', roles: ['admin'] };
  },
});
