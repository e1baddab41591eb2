import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Principal } from '../../shared/auth/principal.js';
import type { SecureRequest } from '../../shared/http/secure-request.js';
import { apiGatewayEvent, lambdaContext } from './test-runtime.js';

export interface LoggedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A request as a middleware sees it inside the chain (headers already lowercased by the normalizer),
 * for testing one middleware on its own, with the log lines it writes.
 */
export const secureRequestOf = (
  options: {
    readonly event?: Partial<APIGatewayProxyEvent>;
    readonly principal?: Principal;
    readonly clientIp?: string;
  } = {},
): { readonly request: SecureRequest; readonly logged: LoggedLine[] } => {
  const logged: LoggedLine[] = [];
  const line =
    (level: LoggedLine['level']) =>
    (message: string, attributes?: Record<string, unknown>): void => {
      logged.push({ level, message, attributes });
    };
  const context = lambdaContext();
  context.bulwark = {
    requestId: 'req-1',
    log: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    clientIp: options.clientIp ?? '192.0.2.1',
    principal: options.principal,
    body: undefined,
    revocationGuards: [],
    responseHeaders: {},
  };
  const request = {
    event: { ...apiGatewayEvent(), headers: {}, multiValueHeaders: {}, ...options.event },
    context,
    response: undefined,
    error: undefined,
    internal: {},
  } as unknown as SecureRequest;
  return { request, logged };
};
