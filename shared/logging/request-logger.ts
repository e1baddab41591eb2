import type { Logger } from '@aws-lambda-powertools/logger';

export type LogAttributes = Record<string, unknown>;

export interface RequestLogger {
  readonly debug: (message: string, attributes?: LogAttributes) => void;
  readonly info: (message: string, attributes?: LogAttributes) => void;
  readonly warn: (message: string, attributes?: LogAttributes) => void;
  readonly error: (message: string, attributes?: LogAttributes) => void;
}

/**
 * Stamps every line with the request id. Passing the id per call (instead of appendKeys on the shared
 * logger) keeps concurrent requests apart in the local server, where one process serves many at once.
 */
export const requestLogger = (logger: Logger, requestId: string): RequestLogger => ({
  debug: (message, attributes) => logger.debug(message, { ...attributes, request_id: requestId }),
  info: (message, attributes) => logger.info(message, { ...attributes, request_id: requestId }),
  warn: (message, attributes) => logger.warn(message, { ...attributes, request_id: requestId }),
  error: (message, attributes) => logger.error(message, { ...attributes, request_id: requestId }),
});
