import httpCors from '@middy/http-cors';
import { normalizeHttpResponse } from '@middy/util';
import type { SecureMiddleware, SecureRequest } from '../http/secure-request.js';

export interface CorsOptions {
  readonly allowOrigins: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly allowMethods: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

/** Ensures `Vary: Origin` exactly once, whatever middy added, so caches never mix origins. */
const varyOnOrigin = (request: SecureRequest): void => {
  if (request.response === undefined || request.response === null) return;
  normalizeHttpResponse(request);
  const headers = { ...request.response.headers };
  const existing = String(headers.Vary ?? headers.vary ?? '');
  delete headers.vary;
  const tokens = existing
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token.length > 0 && token.toLowerCase() !== 'origin');
  headers.Vary = [...tokens, 'Origin'].join(', ');
  request.response.headers = headers;
};

/**
 * CORS from @middy/http-cors with an exact allowlist: an origin not on it (including `null`) gets no
 * Access-Control-Allow-Origin. Preflight is answered by the route fallback's handler, not by an early
 * return here, so preflight responses still pass through the request-id and security-header hooks.
 */
export const applyCors = (options: CorsOptions): SecureMiddleware => {
  const cors = httpCors({
    origins: [...options.allowOrigins],
    headers: options.allowHeaders.join(', '),
    methods: options.allowMethods.join(', '),
    exposeHeaders: options.exposeHeaders.join(', '),
    ...(options.maxAgeSeconds > 0 ? { maxAge: options.maxAgeSeconds } : {}),
    disableBeforePreflightResponse: true,
  }) as SecureMiddleware;
  return {
    name: 'applyCors',
    after: (request) => {
      cors.after?.(request);
      varyOnOrigin(request);
    },
    onError: (request) => {
      cors.onError?.(request);
      varyOnOrigin(request);
    },
  };
};
