/** The promise form of an AWS SDK v3 client's `send`, the only one Bulwark uses. */
interface SendingClient {
  send: (command: never, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;
}

/**
 * Gives every call of `client` a hard deadline: `send` gets an AbortSignal that fires `deadlineMs` after
 * the call starts, across all of its attempts and the backoff between them, so no call can outlive its
 * budget whatever the SDK's retries do. The SDK's per-attempt `requestTimeout` only logs unless it is
 * told to throw, and a backend that accepts connections but never answers (a paused process, a black
 * hole) would otherwise hold a request until the Lambda timeout. The prototype's `send` is looked up at
 * each call, so test doubles that stub the class still apply.
 */
export const withCallDeadline = <C extends SendingClient>(client: C, deadlineMs: number): C => {
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) throw new TypeError('deadlineMs must be positive');
  const prototype = Object.getPrototypeOf(client) as SendingClient;
  client.send = ((command: never, options?: { abortSignal?: AbortSignal }) =>
    prototype.send.call(client, command, {
      ...options,
      abortSignal:
        options?.abortSignal === undefined
          ? AbortSignal.timeout(deadlineMs)
          : AbortSignal.any([options.abortSignal, AbortSignal.timeout(deadlineMs)]),
    })) as C['send'];
  return client;
};
