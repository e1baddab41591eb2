import type { SecureMiddleware } from '../http/secure-request.js';

/**
 * Header names lower-cased, as @middy/http-header-normalizer does, except that lines whose names differ
 * only in case stay one header with every value (RFC 9110 section 5.1: names are case-insensitive). The
 * library assigns each name in turn, so of `Authorization` and `authorization` the later one replaced the
 * other and the repeated-credential refusal (authenticate.ts) saw a single line: a junk credential before
 * a valid one passed. Here `multiValueHeaders` keeps every value in arrival order; `headers`, one value
 * per name, keeps the last, as API Gateway does for repeated lines. The maps have no prototype, so a
 * header named `__proto__` or `constructor` is a header like any other. Never throws, never answers.
 */
export const normalizeHeaders = (): SecureMiddleware => ({
  name: 'normalizeHeaders',
  before: (request) => {
    const { event } = request;
    if (event.multiValueHeaders) {
      const merged: Record<string, string[]> = Object.create(null);
      for (const [name, values] of Object.entries(event.multiValueHeaders)) {
        if (values === undefined || values === null) continue;
        const key = name.toLowerCase();
        merged[key] = [...(merged[key] ?? []), ...values];
      }
      event.multiValueHeaders = merged;
    }
    if (event.headers) {
      const single: Record<string, string> = Object.create(null);
      for (const [name, value] of Object.entries(event.headers)) {
        if (value !== undefined) single[name.toLowerCase()] = value;
      }
      event.headers = single;
    }
  },
});
