import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { normalizeHttpResponse } from '@middy/util';
import { headerOf, type SecureMiddleware, type SecureRequest } from '../http/secure-request.js';
import { requestLogger } from '../logging/request-logger.js';

const safeRequestId = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Accepts a caller's x-request-id only when it is short and inert (no header or log injection),
 * otherwise generates one; echoes it on every response, success or error. Creates the request state
 * every later middleware uses, so it must be the first security middleware.
 */
export const assignRequestId = (options: { readonly logger: Logger }): SecureMiddleware => {
  const addHeader = (request: SecureRequest): void => {
    const state = request.context.bulwark as SecureRequest['context']['bulwark'] | undefined;
    if (state === undefined || request.response === undefined || request.response === null) return;
    normalizeHttpResponse(request);
    request.response.headers = {
      ...state.responseHeaders,
      ...request.response.headers,
      'x-request-id': state.requestId,
    };
  };
  return {
    name: 'assignRequestId',
    before: (request) => {
      const inbound = headerOf(request, 'x-request-id');
      const requestId = inbound !== undefined && safeRequestId.test(inbound) ? inbound : randomUUID();
      request.context.bulwark = {
        requestId,
        log: requestLogger(options.logger, requestId),
        clientIp: request.event.requestContext?.identity?.sourceIp ?? 'unknown',
        principal: undefined,
        body: undefined,
        revocationGuards: [],
        responseHeaders: {},
      };
    },
    after: addHeader,
    onError: addHeader,
  };
};
