/**
 * The catalogue of problem types: one stable code per kind of rejection, its HTTP status and title.
 * The type URI is `urn:bulwark:problem:<code>`; docs/problem-types.md documents each one and a test
 * keeps that page in step with this table.
 */
export const problemTypes = {
  'malformed-request': { status: 400, title: 'Malformed request' },
  'malformed-json': { status: 400, title: 'Malformed JSON body' },
  'untrusted-host': { status: 400, title: 'Untrusted host' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  'invalid-credentials': { status: 401, title: 'Invalid credentials' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'user-already-exists': { status: 409, title: 'User already exists' },
  'refresh-superseded': { status: 409, title: 'Refresh token already used' },
  'body-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'validation-failed': { status: 422, title: 'Validation failed' },
  'quota-exceeded': { status: 429, title: 'Too many requests' },
  'login-throttled': { status: 429, title: 'Too many failed logins' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'service-unavailable': { status: 503, title: 'Service temporarily unavailable' },
  'limiter-unavailable': { status: 503, title: 'Rate limiting temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemTypes;

export const problemTypeUri = (code: ProblemCode): string => `urn:bulwark:problem:${code}`;
