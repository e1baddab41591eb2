import { problemBody } from './problem-response.js';

/**
 * The frames the realtime gateway sends (ADR 0014), JSON text, one per message:
 * `subscribed` / `unsubscribed` answer an action, `event` carries what a publisher sent, `error` carries an
 * RFC 9457 problem. An error frame with `close: 1008` comes right before the gateway closes the
 * connection: API Gateway closes with 1000 and no reason of its own, so the frame is how a client learns
 * why (and that it should treat the close as a policy violation).
 */
export type RealtimeFrame =
  | { readonly type: 'subscribed' | 'unsubscribed'; readonly channel: string; readonly id?: string }
  | { readonly type: 'event'; readonly channel: string; readonly data: unknown }
  | {
      readonly type: 'error';
      readonly status: number;
      readonly problem: ReturnType<typeof problemBody>;
      readonly id?: string;
      readonly close?: 1008;
    };

/** The close code a client should report after an error frame that announces a close. */
export const POLICY_VIOLATION_CLOSE_CODE = 1008;

export const frameText = (frame: RealtimeFrame): string => JSON.stringify(frame);

export const actionFrame = (
  type: 'subscribed' | 'unsubscribed',
  channel: string,
  id: string | undefined,
): string => frameText({ type, channel, ...(id === undefined ? {} : { id }) });

export const errorFrame = (
  error: unknown,
  requestId: string,
  options: { readonly id?: string | undefined; readonly closing?: boolean } = {},
): string => {
  const problem = problemBody(error, requestId);
  return frameText({
    type: 'error',
    status: problem.status,
    problem,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.closing === true ? { close: POLICY_VIOLATION_CLOSE_CODE } : {}),
  });
};

/** An event as subscribers receive it: the channel and the JSON a publisher sent. */
export const eventFrame = (channel: string, data: unknown): string =>
  frameText({ type: 'event', channel, data });
