/** The non-security dependencies behind a circuit breaker; `GET /health/full` reports each one's state. */
export const TRIAGE_MODEL_DEPENDENCY = 'triage-model';

export const breakerDependencies: readonly string[] = Object.freeze([TRIAGE_MODEL_DEPENDENCY]);
