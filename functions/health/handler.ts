import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';

export const handler = await createSecureHandler(loadRuntime(), { auth: 'public' }, async () =>
  jsonResponse(200, { status: 'ok' }),
);
