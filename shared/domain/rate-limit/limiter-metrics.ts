/**
 * Limiter outcomes, one counter each. `reject` counts every 429 (the reference ADR's
 * api_rate_limit_throttled_total); `local_reject` is the subset decided in process with no DynamoDB call.
 * `backend_error` counts decisions the store could not make; each is then either `fail_open` or
 * `fail_closed`.
 */
export const limiterOutcomes = [
  'allow',
  'reject',
  'local_reject',
  'backend_error',
  'fail_open',
  'fail_closed',
] as const;
export type LimiterOutcome = (typeof limiterOutcomes)[number];

export interface LimiterMetrics {
  readonly count: (
    outcome: LimiterOutcome,
    dimensions: { readonly route: string; readonly policy: string },
  ) => void;
}
