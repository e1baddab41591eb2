import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();

export const handler = await createSecureHandler(runtime, routeSecurity(runtime, 'health'), async () =>
  jsonResponse(200, { status: 'ok' }),
);
