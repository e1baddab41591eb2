import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type EdgeProblemCode, edgeAnswers } from '../errors/edge-answers.js';
import { problemTypes, problemTypeUri } from '../errors/problem-types.js';
import { staticSecurityHeaders } from '../http/static-security-headers.js';
import { matchRoute } from '../routes/match-route.js';
import { fallbackRoute, type RouteTable } from '../routes/route-definition.js';
import { toApiGatewayEvent } from './api-gateway-event.js';

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** One request and the answer it got, as a client saw it (header names lowercased). */
export interface LocalExchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface LocalServerOptions {
  readonly port: number;
  readonly host?: string;
  /** Handler for each route id and for the fallback; in `npm start` these are the real functions/ modules. */
  readonly handlers: ReadonlyMap<string, LambdaHandler>;
  /** The routes served: Bulwark's own, or an app's table with Bulwark's and its own. */
  readonly routeTable: RouteTable;
  /** Told of every answer (the contract tests record them to check each against the OpenAPI document). */
  readonly onExchange?: (exchange: LocalExchange) => void;
  /**
   * Headers of every answer the server makes itself (413, 502), as the deployed gateway responses carry
   * them (ADR 0012): the static security headers, and the static CORS headers of the stage's settings
   * (edgeCorsHeaders). Default: the security headers alone.
   */
  readonly edgeHeaders?: Readonly<Record<string, string>>;
}

/** API Gateway's own payload limit; bigger bodies never reach a function there either. */
const gatewayMaxBodyBytes = 10 * 1024 * 1024;

export const lambdaContext = (functionName: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/**
 * What API Gateway answers itself, as its gateway responses in the CDK stack do (ADR 0012): problem+json
 * with its own request id in the body and in x-request-id, and the edge headers.
 */
const gatewayProblem = (
  code: EdgeProblemCode,
  edgeHeaders: Readonly<Record<string, string>>,
): APIGatewayProxyResult => {
  const requestId = randomUUID();
  const { status, title } = problemTypes[code];
  return {
    statusCode: status,
    headers: {
      ...edgeHeaders,
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      'x-request-id': requestId,
      ...edgeAnswers[code].headers,
    },
    body: JSON.stringify({
      type: problemTypeUri(code),
      title,
      status,
      detail: edgeAnswers[code].detail,
      request_id: requestId,
    }),
  };
};

const readBody = (request: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= gatewayMaxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > gatewayMaxBodyBytes ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });

const writeResult = (response: ServerResponse, result: APIGatewayProxyResult): Record<string, string> => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : result.body);
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name.toLowerCase(),
      Array.isArray(value) ? value.join(', ') : value,
    ]),
  );
};

/**
 * The request's path and query. A request target that is not a path (`*`, an absolute URL, or one
 * WHATWG cannot read, such as `//[`) names no route: it goes to the fallback as `/`, never throws.
 */
const urlOf = (target: string | undefined): URL => {
  try {
    return new URL(`http://localhost${target?.startsWith('/') === true ? target : '/'}`);
  } catch {
    return new URL('http://localhost/');
  }
};

/**
 * Serves the route table over HTTP the way the deployed REST API does: a route's own function for its
 * method, the fallback function for everything else (OPTIONS, 404, 405).
 */
export const startLocalServer = async (options: LocalServerOptions): Promise<Server & { url: string }> => {
  const table = options.routeTable;
  const edgeHeaders = options.edgeHeaders ?? staticSecurityHeaders;
  const server = createServer(async (request, response) => {
    const url = urlOf(request.url);
    const answer = (result: APIGatewayProxyResult): void => {
      const headers = writeResult(response, result);
      options.onExchange?.({
        method: request.method ?? 'GET',
        path: url.pathname,
        status: result.statusCode,
        headers,
        body:
          result.isBase64Encoded === true ? Buffer.from(result.body, 'base64').toString('utf8') : result.body,
      });
    };
    try {
      const body = await readBody(request);
      if (body === undefined) return answer(gatewayProblem('body-too-large', edgeHeaders));
      const match = matchRoute(request.method ?? 'GET', url.pathname, table);
      const routeId = match.kind === 'route' ? match.route.id : fallbackRoute.id;
      const handler = options.handlers.get(routeId);
      if (handler === undefined) throw new Error(`No handler loaded for ${routeId}`);
      const event = toApiGatewayEvent({
        request,
        url,
        body,
        resource: match.kind === 'route' ? match.route.path : '/{proxy+}',
        pathParameters: match.kind === 'route' ? match.pathParameters : null,
      });
      answer(await handler(event, lambdaContext(routeId)));
    } catch (error) {
      // A function that throws past its error handler is a 502 at API Gateway; say so on stderr.
      console.error('local server: handler failed', error);
      if (!response.headersSent) answer(gatewayProblem('bad-gateway', edgeHeaders));
      else response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(server, { url: `http://${options.host ?? '127.0.0.1'}:${port}` });
};
