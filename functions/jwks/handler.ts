import { jwksOf } from '../../shared/auth/tokens/jwks.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);
await services.assertSecrets({ signingKeys: true, pepper: false });

/** The public halves of the current and previous signing keys (RFC 7517), never a private part. */
export const handler = await createSecureHandler(runtime, routeSecurity(runtime, 'jwks'), async () =>
  jsonResponse(200, jwksOf(await services.signingKeys())),
);
