/**
 * The security headers the functions send (shared/middlewares/add-security-headers.ts: middy's
 * http-security-headers with Bulwark's options, plus `Cache-Control: no-store`), none of which depends on the
 * request. The answers API Gateway and WAF make themselves carry the same set. A test builds the middleware
 * and compares its output with this table, so a change on either side fails until both agree.
 */
export const staticSecurityHeaders: Readonly<Record<string, string>> = Object.freeze({
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  // Nothing here is ever a page: no source of any kind, no framing.
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Origin-Agent-Cluster': '?1',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Permitted-Cross-Domain-Policies': 'none',
});
