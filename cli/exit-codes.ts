/**
 * The CLI's exit codes, in the style of gh's: one documented table (`bulwark help exit-codes`), asserted
 * by the tests. Scripts branch on these, never on the text of a message.
 */
export const exitCodes = Object.freeze({
  ok: 0,
  /** Anything unexpected, a 5xx answer included. */
  failure: 1,
  /** Usage: a parse error, a bad flag value, a credential file refused, nothing to do. */
  usage: 2,
  /** The API refused the request (a 4xx other than below). */
  rejected: 3,
  /** Authentication or permission: no credential, 401 or 403. */
  auth: 4,
  /** Rate limited (429); the wait is printed. */
  rateLimited: 5,
  /** The API could not be reached or did not answer in time. */
  network: 6,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
});

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

export const exitCodeTable: readonly (readonly [ExitCode, string])[] = [
  [exitCodes.ok, 'ok'],
  [exitCodes.failure, 'unexpected error, or the API answered 5xx'],
  [exitCodes.usage, 'usage: bad command, flag or value, or a credentials file refused'],
  [exitCodes.rejected, 'the API rejected the request (4xx other than 401, 403, 429)'],
  [exitCodes.auth, 'authentication or permission: no credential, 401 or 403'],
  [exitCodes.rateLimited, 'rate limited (429): wait for the time printed'],
  [exitCodes.network, 'network error or timeout: the API could not be reached'],
  [exitCodes.interrupted, 'interrupted (Ctrl-C)'],
];

/** The exit code of an HTTP error status. */
export const exitCodeOfStatus = (status: number): ExitCode => {
  if (status === 401 || status === 403) return exitCodes.auth;
  if (status === 429) return exitCodes.rateLimited;
  if (status >= 400 && status < 500) return exitCodes.rejected;
  return exitCodes.failure;
};
