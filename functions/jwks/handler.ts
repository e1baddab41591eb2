import { jwksOf } from '../../shared/auth/tokens/jwks.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { authServices } from '../../shared/runtime/auth-services.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';

const runtime = loadRuntime();
const services = authServices(runtime);
// The public set only: this route is unauthenticated, so it must not be able to read the private key.
await services.assertSecrets({ verificationKeys: true });

/** The published public keys (RFC 7517) from the verification-key secret; it can hold no private part. */
export const handler = await createSecureHandler(runtime, routeSecurity(runtime, 'jwks'), async () =>
  jsonResponse(200, jwksOf(await services.verificationKeys())),
);
