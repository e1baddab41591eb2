import { describe, expect, it } from 'vitest';
import type { SecureRequest } from '../../../shared/http/secure-request.js';
import { staticSecurityHeaders } from '../../../shared/http/static-security-headers.js';
import { addSecurityHeaders } from '../../../shared/middlewares/add-security-headers.js';

/** The headers the functions' middleware puts on a response, success and error alike. */
const functionHeaders = (phase: 'after' | 'onError'): Record<string, unknown> => {
  const request = {
    event: {},
    context: {},
    response: { statusCode: 200, headers: {}, body: '' },
    error: undefined,
    internal: {},
  } as unknown as SecureRequest;
  addSecurityHeaders()[phase]?.(request);
  return { ...request.response?.headers };
};

describe('the static security headers of edge answers', () => {
  it.each(['after', 'onError'] as const)(
    'are exactly the headers the functions send (%s), with the same values',
    (phase) => {
      // Header names compare case-insensitively, values exactly.
      const lower = (headers: Readonly<Record<string, unknown>>) =>
        Object.fromEntries(
          Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
        );
      expect(lower(staticSecurityHeaders)).toEqual(lower(functionHeaders(phase)));
    },
  );

  it('are single-line values that fit a WAF custom response header (64-character name, 255 value)', () => {
    for (const [name, value] of Object.entries(staticSecurityHeaders)) {
      expect(name.length, name).toBeLessThanOrEqual(64);
      expect(value.length, name).toBeLessThanOrEqual(255);
      expect(value, name).not.toMatch(/[\r\n]/);
    }
  });
});
