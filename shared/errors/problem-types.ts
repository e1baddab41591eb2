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
  'connection-revoked': { status: 401, title: 'Connection revoked' },
  forbidden: { status: 403, title: 'Forbidden' },
  'request-blocked': { status: 403, title: 'Request blocked' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'user-already-exists': { status: 409, title: 'User already exists' },
  'refresh-superseded': { status: 409, title: 'Refresh token already used' },
  conflict: { status: 409, title: 'Conflicting change' },
  'subscription-limit': { status: 409, title: 'Too many subscriptions on this connection' },
  'datasource-deleted': { status: 410, title: 'Datasource deleted' },
  'body-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'validation-failed': { status: 422, title: 'Validation failed' },
  'quota-exceeded': { status: 429, title: 'Too many requests' },
  'login-throttled': { status: 429, title: 'Too many failed logins' },
  'api-throttled': { status: 429, title: 'Too many requests to the API' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'bad-gateway': { status: 502, title: 'Bad gateway' },
  'service-unavailable': { status: 503, title: 'Service temporarily unavailable' },
  'limiter-unavailable': { status: 503, title: 'Rate limiting temporarily unavailable' },
  'triage-unavailable': { status: 503, title: 'Log triage temporarily unavailable' },
  'gateway-timeout': { status: 504, title: 'Gateway timeout' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemTypes;

/**
 * API Gateway's two catch-alls (DEFAULT_4XX, DEFAULT_5XX) answer rejections it has no more specific type
 * for, keeping the status it chose. A gateway response template cannot name that status, so these types
 * have a status class instead of a status, their bodies carry no `status` member, and no function throws
 * them (they are not ProblemCodes).
 */
export const gatewayCatchAllProblemTypes = {
  'gateway-4xx': { statusClass: '4xx', title: 'Request rejected by the API gateway' },
  'gateway-5xx': { statusClass: '5xx', title: 'The API gateway failed to process the request' },
} as const satisfies Record<string, { statusClass: '4xx' | '5xx'; title: string }>;

export type GatewayCatchAllCode = keyof typeof gatewayCatchAllProblemTypes;

export const problemTypeUri = (code: ProblemCode | GatewayCatchAllCode): string =>
  `urn:bulwark:problem:${code}`;
