import { randomUUID } from 'node:crypto';
import { BulwarkError } from '../errors/bulwark-error.js';
import { LimiterUnavailableError } from '../errors/rate-limit-errors.js';
import { DependencyUnavailableError } from '../errors/request-errors.js';
import { problemResponse } from '../http/problem-response.js';
import type { SecureMiddleware } from '../http/secure-request.js';
import { REQUEST_FAILED_MESSAGE, REQUEST_REJECTED_MESSAGE } from '../logging/log-messages.js';

/**
 * The one error handler: every thrown error becomes problem+json. Client errors are logged at info,
 * server errors at error with their cause; the response never carries a stack or a cause.
 */
export interface AnswerProblemsOptions {
  /**
   * Called for every 503 a backend caused (DynamoDB, Secrets Manager), whichever middleware or handler
   * met it, so an outage is counted even where no limiter metric sees it (an API-key read, a session write).
   */
  readonly countUnavailable?: (dependency: string) => void;
}

const dependencyOf = (error: unknown): string | undefined =>
  error instanceof DependencyUnavailableError || error instanceof LimiterUnavailableError
    ? error.dependency
    : undefined;

export const answerProblems = (options: AnswerProblemsOptions = {}): SecureMiddleware => ({
  name: 'answerProblems',
  onError: (request) => {
    const state = request.context.bulwark;
    const requestId = state?.requestId ?? randomUUID();
    const error = request.error;
    const response = problemResponse(error, requestId);
    const dependency = dependencyOf(error);
    if (dependency !== undefined) options.countUnavailable?.(dependency);
    if (state !== undefined) {
      if (response.statusCode >= 500) {
        state.log.error(REQUEST_FAILED_MESSAGE, {
          status: response.statusCode,
          code: error instanceof BulwarkError ? error.code : undefined,
          dependency,
          client_ip: state.clientIp,
          error_name: error instanceof Error ? error.name : typeof error,
          error: error instanceof BulwarkError ? error.cause : error,
          stack: error instanceof Error ? error.stack : undefined,
        });
      } else {
        state.log.info(REQUEST_REJECTED_MESSAGE, {
          status: response.statusCode,
          code: error instanceof BulwarkError ? error.code : undefined,
          dependency,
          // The address the chain resolved (trust hops applied): what the limiter keyed on.
          client_ip: state.clientIp,
        });
      }
    }
    request.response = response;
  },
});
