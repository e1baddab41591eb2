import httpSecurityHeaders from '@middy/http-security-headers';
import { normalizeHttpResponse } from '@middy/util';
import { NO_STORE } from '../http/cache-policy.js';
import type { SecureMiddleware, SecureRequest } from '../http/secure-request.js';

const oneYearSeconds = 365 * 24 * 60 * 60;

/**
 * `default-src 'none'; frame-ancestors 'none'` and nothing else. middy merges these into its defaults
 * for HTML pages; `false` switches a directive off at run time, though its types only admit strings.
 */
const apiContentSecurityPolicy = {
  'default-src': "'none'",
  'frame-ancestors': "'none'",
  'base-uri': false,
  'form-action': false,
  'report-to': false,
  'require-trusted-types-for': false,
  sandbox: false,
  'upgrade-insecure-requests': false,
} as unknown as Record<string, string>;

export interface SecurityHeadersOptions {
  /**
   * `Cache-Control` of the route's successful (2xx) answers, from its cache policy (shared/http/
   * cache-policy.ts); `no-store` when absent. Every other answer (an error, a problem) is `no-store`.
   */
  readonly successCacheControl?: string;
}

/**
 * Security headers for a JSON API (nothing here is ever rendered as a page): middy's precomputed
 * headers with a CSP that forbids everything, framing denied, HSTS for a year, and no caching,
 * because API responses may carry personal data or credentials; only a route whose cache policy says
 * otherwise (the JWKS) lets its successful answers be cached.
 */
export const addSecurityHeaders = (options: SecurityHeadersOptions = {}): SecureMiddleware => {
  const headers = httpSecurityHeaders({
    contentSecurityPolicy: apiContentSecurityPolicy,
    strictTransportSecurity: { maxAge: oneYearSeconds, includeSubDomains: true, preload: false },
    frameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    contentTypeOptions: { action: 'nosniff' },
    // Cross-origin reads are governed by the CORS allowlist; CORP does not apply to CORS requests.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    permissionsPolicy: false,
    reportTo: false,
    reportingEndpoints: false,
  }) as SecureMiddleware;

  const successCacheControl = options.successCacheControl ?? NO_STORE;
  const cacheControl = (request: SecureRequest, value: (statusCode: number) => string): void => {
    if (request.response === undefined || request.response === null) return;
    normalizeHttpResponse(request);
    const statusCode = request.response.statusCode;
    request.response.headers = { ...request.response.headers, 'Cache-Control': value(statusCode) };
  };
  const isSuccess = (statusCode: number): boolean => statusCode >= 200 && statusCode <= 299;

  return {
    name: 'addSecurityHeaders',
    after: (request) => {
      headers.after?.(request);
      cacheControl(request, (statusCode) => (isSuccess(statusCode) ? successCacheControl : NO_STORE));
    },
    onError: (request) => {
      headers.onError?.(request);
      cacheControl(request, () => NO_STORE);
    },
  };
};
