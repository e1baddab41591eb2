/**
 * Headers that already mean something to browsers, proxies, API Gateway or Bulwark itself. Carrying
 * an API key in one of them would leak it (cookies, Referer), let a proxy rewrite or drop it
 * (hop-by-hop, forwarding), or collide with another credential (Authorization), so API_AUTH_HEADER
 * may not name them.
 */
export const reservedHeaderNames: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'host',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'origin',
  'referer',
  'user-agent',
  'accept',
  'forwarded',
  'via',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-real-ip',
  'x-request-id',
]);

/** Prefixes owned by AWS (API Gateway remaps or strips some of them) and by the Fetch standard. */
export const reservedHeaderPrefixes: readonly string[] = ['x-amz-', 'x-amzn-', 'access-control-', 'sec-'];

export const isReservedHeaderName = (name: string): boolean =>
  reservedHeaderNames.has(name) || reservedHeaderPrefixes.some((prefix) => name.startsWith(prefix));
