import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayEventIdentity, APIGatewayProxyEvent } from 'aws-lambda';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Original header names and every value, the way API Gateway's REST proxy integration passes them. Maps
 * without a prototype: a client's header or query key named `__proto__` or `constructor` is data.
 */
const headersOf = (request: IncomingMessage) => {
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    const value = request.rawHeaders[index + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
};

/** A URL's query as API Gateway passes it: the last value and every value per key; null when none. */
export const queryOf = (url: URL) => {
  if (url.search === '') return { single: null, multi: null };
  const single: Record<string, string> = Object.create(null);
  const multi: Record<string, string[]> = Object.create(null);
  for (const [key, value] of url.searchParams) {
    single[key] = value;
    multi[key] = [...(multi[key] ?? []), value];
  }
  return { single, multi };
};

/** Text bodies arrive as text; anything that is not valid UTF-8 arrives base64-encoded, as API Gateway does for binary. */
const bodyOf = (raw: Buffer): { body: string | null; isBase64Encoded: boolean } => {
  if (raw.length === 0) return { body: null, isBase64Encoded: false };
  try {
    return { body: utf8.decode(raw), isBase64Encoded: false };
  } catch {
    return { body: raw.toString('base64'), isBase64Encoded: true };
  }
};

/** The caller identity of a REST proxy event: API Gateway fills only the address and the user agent. */
export const apiGatewayIdentity = (sourceIp: string, userAgent: string | null): APIGatewayEventIdentity => ({
  accessKey: null,
  accountId: null,
  apiKey: null,
  apiKeyId: null,
  caller: null,
  clientCert: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
  sourceIp,
  user: null,
  userAgent,
  userArn: null,
});

export interface EventSource {
  readonly request: IncomingMessage;
  readonly url: URL;
  readonly body: Buffer;
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
}

/** Translates a Node HTTP request into an API Gateway REST proxy event (payload format 1.0). */
export const toApiGatewayEvent = ({
  request,
  url,
  body,
  resource,
  pathParameters,
}: EventSource): APIGatewayProxyEvent => {
  const { headers, multiValueHeaders } = headersOf(request);
  const query = queryOf(url);
  const method = request.method ?? 'GET';
  const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const requestId = randomUUID();
  const now = Date.now();
  return {
    resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters,
    stageVariables: null,
    ...bodyOf(body),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: method,
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: resource,
      identity: apiGatewayIdentity(sourceIp, headers['User-Agent'] ?? headers['user-agent'] ?? null),
    },
  };
};
