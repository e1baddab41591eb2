import type { APIGatewayProxyResult } from 'aws-lambda';
import { BulwarkError } from '../errors/bulwark-error.js';
import { problemTypes, problemTypeUri } from '../errors/problem-types.js';

const internal = new BulwarkError('internal-error', {
  detail: 'The server could not complete the request. Quote the request id when reporting it.',
});

/** An RFC 9457 problem body: the one shape every rejection has, over HTTP or in a WebSocket frame. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly request_id: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

/**
 * The problem body of an error. Only BulwarkErrors are described to the client; anything else becomes a
 * generic 500 whose body says nothing about the cause.
 */
export const problemBody = (error: unknown, requestId: string): ProblemBody => {
  const known = error instanceof BulwarkError ? error : internal;
  const { status, title } = problemTypes[known.code];
  return {
    type: problemTypeUri(known.code),
    title,
    status,
    // 503 details are ours and say what to do; any other 5xx might describe a bug, so it stays generic.
    detail: status >= 500 && status !== 503 ? internal.detail : known.detail,
    request_id: requestId,
    ...(known.errors === undefined ? {} : { errors: known.errors }),
  };
};

/** RFC 9457 problem+json: the problem body, the error's own headers (Retry-After, WWW-Authenticate). */
export const problemResponse = (error: unknown, requestId: string): APIGatewayProxyResult => {
  const known = error instanceof BulwarkError ? error : internal;
  const body = problemBody(error, requestId);
  return {
    statusCode: body.status,
    headers: { ...known.headers, 'Content-Type': 'application/problem+json' },
    body: JSON.stringify(body),
  };
};
