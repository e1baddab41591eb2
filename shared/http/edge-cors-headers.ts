/**
 * Response headers a browser may read on an edge answer: the request id (ours, and API Gateway's own, which
 * is the only id a WAF answer can carry) and Retry-After. Content-Type is readable without being listed.
 */
export const edgeExposedHeaders = ['x-request-id', 'x-amzn-RequestId', 'Retry-After'] as const;

export interface EdgeCorsHeaders {
  /** Static CORS headers for answers made by API Gateway and WAF; empty when none can be right. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The configured origins whose browsers cannot read an edge answer: set when several origins are allowed,
   * because a static answer cannot name the one that asked (ADR 0012).
   */
  readonly unreadableBy?: readonly string[];
}

/** The exact-origin check of shared/config/runtime-config.ts, applied at synth so a typo fails early. */
const isExactOrigin = (value: string): boolean => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
};

/**
 * CORS for answers that never reach a function (API Gateway's gateway responses, WAF's custom responses).
 * These are static: they cannot compare the request's Origin with the allowlist, and echoing it would allow
 * every origin. So:
 * - CORS off (or nothing allowed): no CORS headers, like the functions.
 * - exactly one origin: that origin, which is what the functions answer to every browser allowed to read.
 * - several origins: no Access-Control-Allow-Origin. Naming one would be wrong for the others and `*` would
 *   be wider than the allowlist; browsers on those origins see a network error instead of the status.
 * Never `Access-Control-Allow-Credentials` (the functions do not send it either), so the `*` a non-production
 * stage may configure on its own stays a plain public read of a static error.
 */
/** The CORS settings the answer depends on (the runtime configuration's `cors`). */
export interface EdgeCorsSettings {
  readonly enabled: boolean;
  readonly allowOrigins: readonly string[];
}

export const edgeCorsHeaders = (cors: EdgeCorsSettings): EdgeCorsHeaders => {
  const origins = cors.allowOrigins;
  for (const origin of origins) {
    if (origin === '*' ? origins.length > 1 : !isExactOrigin(origin)) {
      throw new TypeError(
        `CORS origin "${origin}" is not an exact origin such as https://app.example.com ("*" only alone)`,
      );
    }
  }
  const [only, ...others] = origins;
  if (!cors.enabled || only === undefined) return { headers: {} };
  if (others.length > 0) return { headers: {}, unreadableBy: origins };
  return {
    headers: {
      'Access-Control-Allow-Origin': only,
      'Access-Control-Expose-Headers': edgeExposedHeaders.join(', '),
    },
  };
};
