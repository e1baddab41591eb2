import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type ProblemCode, problemTypeUri } from '../errors/problem-types.js';
import { matchRoute } from '../routes/match-route.js';
import { fallbackRoute, type RouteTable } from '../routes/route-definition.js';
import { toApiGatewayEvent } from './api-gateway-event.js';

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface LocalServerOptions {
  readonly port: number;
  readonly host?: string;
  /** Handler for each route id and for the fallback; in `npm start` these are the real functions/ modules. */
  readonly handlers: ReadonlyMap<string, LambdaHandler>;
  /** The routes served: Bulwark's own, or an app's table with Bulwark's and its own. */
  readonly routeTable: RouteTable;
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

/** What API Gateway answers itself (its gateway responses are problem+json in the CDK stack too). */
const gatewayProblem = (response: ServerResponse, status: number, code: ProblemCode, title: string): void => {
  response.writeHead(status, { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify({ type: problemTypeUri(code), title, status }));
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

const writeResult = (response: ServerResponse, result: APIGatewayProxyResult): void => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : result.body);
};

/**
 * Serves the route table over HTTP the way the deployed REST API does: a route's own function for its
 * method, the fallback function for everything else (OPTIONS, 404, 405).
 */
export const startLocalServer = async (options: LocalServerOptions): Promise<Server & { url: string }> => {
  const table = options.routeTable;
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const body = await readBody(request);
      if (body === undefined)
        return gatewayProblem(response, 413, 'body-too-large', 'Request body too large');
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
      writeResult(response, await handler(event, lambdaContext(routeId)));
    } catch (error) {
      // A function that throws past its error handler is a 502 at API Gateway; say so on stderr.
      console.error('local server: handler failed', error);
      if (!response.headersSent) gatewayProblem(response, 502, 'internal-error', 'Bad gateway');
      else response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(server, { url: `http://${options.host ?? '127.0.0.1'}:${port}` });
};
