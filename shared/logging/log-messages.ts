/**
 * Messages of the log lines operators query (the saved Logs Insights queries of infra/constructs/
 * saved-queries.ts filter on them): one constant each, so the queries and the code cannot drift.
 */
export const REQUEST_REJECTED_MESSAGE = 'request rejected';
export const REQUEST_FAILED_MESSAGE = 'request failed';
export const AUTHENTICATION_FAILED_MESSAGE = 'authentication failed';
