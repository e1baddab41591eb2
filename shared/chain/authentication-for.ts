import { authenticate } from '../middlewares/authenticate.js';
import { apiKeysFor } from '../runtime/api-keys-for.js';
import { perRuntime } from '../runtime/per-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import { tokenVerifierFor } from '../runtime/token-verifier-for.js';
import { verificationKeysFor } from '../runtime/verification-keys-for.js';
import type { AuthenticationDependencies } from './create-secure-handler.js';

/**
 * How secure routes authenticate under API_AUTH_STRATEGY: the token verifier, the API-key verifier,
 * both, or neither (`disabled`, which loads no secret). Built once per process; loading the secrets here, at cold start, warms the caches and lets
 * production refuse development keys and weak peppers before the first request.
 */
export const authenticationFor = perRuntime(async (runtime: Runtime): Promise<AuthenticationDependencies> => {
  const { strategy, header } = runtime.config.auth;
  const tokens = strategy === 'jwt' || strategy === 'jwt_or_api_key';
  const keys = strategy === 'api_key' || strategy === 'jwt_or_api_key';
  await Promise.all([
    tokens ? verificationKeysFor(runtime).ready() : undefined,
    keys ? apiKeysFor(runtime).ready() : undefined,
  ]);
  return {
    middleware: authenticate,
    strategy,
    apiKeyHeader: header,
    ...(tokens ? { verifyAccessToken: (token: string) => tokenVerifierFor(runtime).verify(token) } : {}),
    ...(keys
      ? {
          verifyApiKey: (credential: string) => apiKeysFor(runtime).apiKeys.verify(credential),
          verifyProvableApiKey: (credential: string, fresh: boolean) =>
            apiKeysFor(runtime).apiKeys.verifyProvable(credential, { fresh }),
        }
      : {}),
  };
});
