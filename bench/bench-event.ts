import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiGatewayIdentity } from '../shared/local/api-gateway-event.js';

export interface BenchEventOptions {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  readonly path: string;
  /** The API Gateway resource (`/admin/api-keys/{key_id}`); the path when absent. */
  readonly resource?: string;
  readonly pathParameters?: Readonly<Record<string, string>>;
  /** The caller's address as API Gateway sees it. */
  readonly sourceIp?: string;
  /** Extra headers, with the mixed-case names clients and API Gateway send. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Query parameters, one value each. */
  readonly query?: Readonly<Record<string, string>>;
  readonly sequence: number;
}

/**
 * A fresh API Gateway REST proxy event (payload format 1.0) per call: the header normalizer rewrites
 * `headers` in place, so reusing one event would measure an already-normalized request.
 */
export const benchEvent = ({
  method,
  path,
  resource = path,
  pathParameters,
  sourceIp = '203.0.113.42',
  headers = {},
  body,
  query,
  sequence,
}: BenchEventOptions): APIGatewayProxyEvent => {
  const allHeaders: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Encoding': 'gzip, deflate, br',
    'CloudFront-Forwarded-Proto': 'https',
    'CloudFront-Is-Desktop-Viewer': 'true',
    'CloudFront-Viewer-Country': 'DE',
    Host: 'abc123def4.execute-api.eu-west-1.amazonaws.com',
    Origin: 'https://app.example.com',
    'User-Agent':
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    Via: '2.0 5f1c0ad2b4e8a1f7c3d9e6b2a4c8f0d1.cloudfront.net (CloudFront)',
    'X-Amz-Cf-Id': 'k3Jd9sLw2QpZ8vXyTn4RbMcHgFeDa1UoIi7Ww0SsEe5Yy6Tt==',
    'X-Amzn-Trace-Id': `Root=1-6751c0de-${sequence.toString(16).padStart(24, '0')}`,
    'X-Forwarded-For': '203.0.113.42, 130.176.98.11',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...headers,
  };
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(allHeaders)) multiValueHeaders[name] = [value];
  return {
    resource,
    path,
    httpMethod: method,
    headers: allHeaders,
    multiValueHeaders,
    queryStringParameters: query === undefined ? null : { ...query },
    multiValueQueryStringParameters:
      query === undefined
        ? null
        : Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]])),
    pathParameters: pathParameters === undefined ? null : { ...pathParameters },
    stageVariables: null,
    body: body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123def4',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path: `/prod${path}`,
      stage: 'prod',
      requestId: `c6af9ac6-7b61-11e6-9a41-${sequence.toString(16).padStart(12, '0')}`,
      requestTimeEpoch: 1_767_225_600_000 + sequence,
      resourceId: 'a1b2c3',
      resourcePath: resource,
      identity: apiGatewayIdentity(sourceIp, allHeaders['User-Agent'] ?? null),
    },
  };
};
