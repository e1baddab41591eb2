/**
 * What a route does when the limiter cannot decide: `fail-closed` refuses with 503 and Retry-After,
 * `fail-open` admits and logs (production needs an explicit acknowledgement).
 */
export type LimiterFailureMode = 'fail-closed' | 'fail-open';
