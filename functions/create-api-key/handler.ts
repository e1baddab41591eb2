import { createApiKeyBody, issueInputFromBody } from '../../shared/domain/api-keys/api-key-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);

/** The credential is in `api_key` of this one response and never again. */
export const handler = await createSecureHandler(
  runtime,
  { ...routeSecurity(runtime, 'create-api-key'), body: createApiKeyBody },
  async ({ body, principal, log }) => {
    const issued = await services.apiKeys().issue(issueInputFromBody(body));
    log.info('api key issued', { key_id: issued.key.key_id, by: principal?.id });
    return jsonResponse(201, { api_key: issued.apiKey, ...issued.key });
  },
);
