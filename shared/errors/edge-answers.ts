import type { ProblemCode } from './problem-types.js';

/**
 * Answers API Gateway gives by itself on any route, before or instead of its function (ADR 0012): the
 * WAF's block, the stage's throttle, a body over its payload limit, a function that fails or times out.
 * One text per answer, used by the CDK gateway responses (infra/constructs/problem-gateway-responses.ts),
 * the local server standing in for API Gateway, and the OpenAPI document's examples.
 */
export const edgeAnswers = {
  'request-blocked': {
    detail: 'The web application firewall blocked this request. Quote the request id if it is legitimate.',
    headers: {},
  },
  'body-too-large': { detail: 'The request is larger than API Gateway accepts.', headers: {} },
  'api-throttled': {
    detail: 'The API is receiving more requests than it accepts; retry after the seconds in Retry-After.',
    // Stage and method throttling is a token bucket refilled every second.
    headers: { 'Retry-After': '1' },
  },
  'bad-gateway': {
    detail: 'The API could not get a valid answer from its function. Quote the request id when reporting it.',
    headers: {},
  },
  'gateway-timeout': {
    detail: 'The API did not answer in time; the request may or may not have taken effect.',
    headers: {},
  },
} as const satisfies Partial<
  Record<ProblemCode, { readonly detail: string; readonly headers: Readonly<Record<string, string>> }>
>;

export type EdgeProblemCode = keyof typeof edgeAnswers;
