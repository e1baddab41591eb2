import { connect } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { staticSecurityHeaders } from '../../../shared/http/static-security-headers.js';
import { type LocalExchange, startLocalServer } from '../../../shared/local/local-server.js';
import { fallbackRoute, routes } from '../../../shared/routes/route-table.js';

let stop: (() => void) | undefined;
afterEach(() => stop?.());

/** A request whose handler fails: the server says so on stderr, which the test keeps quiet. */
const fetchQuietly = async (url: string): Promise<Response> => {
  const original = console.error;
  console.error = () => undefined;
  return fetch(url).finally(() => {
    console.error = original;
  });
};

describe('the local server standing in for API Gateway', () => {
  it('answers a function that throws past its chain as API Gateway does: 502 bad-gateway with a request id', async () => {
    const exchanges: LocalExchange[] = [];
    const failing = async () => {
      throw new Error('boom');
    };
    const server = await startLocalServer({
      port: 0,
      handlers: new Map([['health', failing]]),
      routeTable: routes,
      onExchange: (exchange) => exchanges.push(exchange),
    });
    stop = () => server.close();
    const response = await fetchQuietly(`${server.url}/health`);
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'urn:bulwark:problem:bad-gateway',
      status: 502,
      title: 'Bad gateway',
    });
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
    expect(typeof body.detail).toBe('string');
    // The deployed gateway responses' headers (ADR 0012): the static security set, by default.
    for (const [name, value] of Object.entries(staticSecurityHeaders))
      expect(response.headers.get(name), name).toBe(value);
    expect(exchanges).toEqual([
      expect.objectContaining({ method: 'GET', path: '/health', status: 502, body: JSON.stringify(body) }),
    ]);
  });
});

/** Sends raw bytes (what fetch would refuse to send) and reads the whole answer. */
const rawRequest = (url: string, text: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });

describe('what a client sends never stops the local server', () => {
  const echoing = async (event: APIGatewayProxyEvent) => ({
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      path: event.path,
      headers: Object.keys(event.multiValueHeaders ?? {}),
      query: event.multiValueQueryStringParameters,
    }),
  });

  it('reads a header or query key named __proto__ or constructor as data, not as a 502', async () => {
    const server = await startLocalServer({
      port: 0,
      handlers: new Map([['openapi', echoing]]),
      routeTable: routes,
    });
    stop = () => server.close();
    const response = await fetch(`${server.url}/openapi.json?__proto__=1&constructor=2`, {
      headers: { constructor: 'x' },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { headers: string[]; query: Record<string, string[]> };
    expect(body.headers).toContain('constructor');
    expect(body.query).toEqual({ ['__proto__']: ['1'], constructor: ['2'] });
  });

  it('answers a request target WHATWG cannot read (//[) through the fallback, then serves the next request', async () => {
    const server = await startLocalServer({
      port: 0,
      handlers: new Map([
        [fallbackRoute.id, echoing],
        ['openapi', echoing],
      ]),
      routeTable: routes,
    });
    stop = () => server.close();
    const answer = await rawRequest(server.url, 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    // The fallback (no route has this path) answered it.
    expect(answer).toContain('"path":"//["');
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(200);
  });
});

describe('answers the local server makes itself', () => {
  it('carry the edge headers it is given: security headers and the stage’s static CORS, as the gateway’s do', async () => {
    const server = await startLocalServer({
      port: 0,
      handlers: new Map(),
      routeTable: routes,
      edgeHeaders: { ...staticSecurityHeaders, 'Access-Control-Allow-Origin': 'https://app.example.com' },
    });
    stop = () => server.close();
    // No handler is loaded for /health: the server answers 502 itself.
    const response = await fetchQuietly(`${server.url}/health`);
    expect(response.status).toBe(502);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('strict-transport-security')).toBe(
      staticSecurityHeaders['Strict-Transport-Security'],
    );
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});
