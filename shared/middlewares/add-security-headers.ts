import httpSecurityHeaders from '@middy/http-security-headers';
import { normalizeHttpResponse } from '@middy/util';
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

/**
 * Security headers for a JSON API (nothing here is ever rendered as a page): middy's precomputed
 * headers with a CSP that forbids everything, framing denied, HSTS for a year, and no caching,
 * because API responses may carry personal data or credentials.
 */
export const addSecurityHeaders = (): SecureMiddleware => {
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

  const noStore = (request: SecureRequest): void => {
    if (request.response === undefined || request.response === null) return;
    normalizeHttpResponse(request);
    request.response.headers = { ...request.response.headers, 'Cache-Control': 'no-store' };
  };

  return {
    name: 'addSecurityHeaders',
    after: (request) => {
      headers.after?.(request);
      noStore(request);
    },
    onError: (request) => {
      headers.onError?.(request);
      noStore(request);
    },
  };
};
