import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);

export const handler = await createSecureHandler(runtime, routeSecurity(runtime, 'list-api-keys'), async () =>
  jsonResponse(200, { keys: await services.apiKeys().list() }),
);
