import { emptyResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);

/** Revocation is one conditional write; every verification reads the key consistently, so it is immediate. */
export const handler = await createSecureHandler(
  runtime,
  routeSecurity(runtime, 'revoke-api-key'),
  async ({ event, principal, log }) => {
    const view = await services.apiKeys().revoke(event.pathParameters?.key_id ?? '');
    log.info('api key revoked', { key_id: view.key_id, by: principal?.id });
    return emptyResponse(204);
  },
);
