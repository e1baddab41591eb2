import { patchFromBody, updateApiKeyBody } from '../../shared/domain/api-keys/api-key-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);

export const handler = await createSecureHandler(
  runtime,
  { ...routeSecurity(runtime, 'update-api-key'), body: updateApiKeyBody },
  async ({ body, event, principal, log }) => {
    const keyId = event.pathParameters?.key_id ?? '';
    const view = await services.apiKeys().update(keyId, patchFromBody(body));
    log.info('api key updated', { key_id: view.key_id, by: principal?.id });
    return jsonResponse(200, view);
  },
);
