/**
 * CORS as a real browser enforces it: Chromium loads pages from an allowed and a disallowed origin (and a
 * sandboxed frame with origin `null`) and calls the local stack. A recording proxy in front of the stack
 * shows what the browser actually sent, preflights included.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../support/chromium.js';
import { type LocalStack, startLocalStack } from '../support/local-stack-process.js';

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly requestHeaders: IncomingHttpHeaders;
  readonly status: number;
  readonly responseHeaders: IncomingHttpHeaders;
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const close = (server: Server | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (server === undefined || !server.listening) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });

const pageHtml = (title: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${title}</body></html>`;

/** A static page server: `/` is a blank page, `/sandboxed` holds a sandboxed frame (origin `null`). */
const pageServer = (title: string): Server =>
  createServer((request, response) => {
    const body =
      request.url === '/sandboxed'
        ? `<!doctype html><title>${title}</title><iframe name="sandboxed" sandbox="allow-scripts" srcdoc="${pageHtml('sandboxed').replaceAll('"', '&quot;')}"></iframe>`
        : pageHtml(title);
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    response.end(body);
  });

const readAll = (stream: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

/** Forwards everything to the stack unchanged and records each exchange. */
const recordingProxy = (target: () => string, exchanges: Exchange[]): Server =>
  createServer(async (request, response) => {
    try {
      const body = await readAll(request);
      const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
        const forward = httpRequest(
          `${target()}${request.url ?? '/'}`,
          { method: request.method, headers: request.headers, agent: false },
          resolve,
        );
        forward.on('error', reject);
        forward.end(body);
      });
      const answer = await readAll(upstream);
      exchanges.push({
        method: request.method ?? '',
        path: request.url ?? '',
        requestHeaders: request.headers,
        status: upstream.statusCode ?? 0,
        responseHeaders: upstream.headers,
      });
      response.writeHead(upstream.statusCode ?? 502, upstream.headers);
      response.end(answer);
    } catch {
      response.writeHead(502);
      response.end();
    }
  });

interface BrowserFetchInput {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

type BrowserFetchResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly contentType: string | null;
      readonly requestId: string | null;
      readonly body: string;
    }
  | { readonly ok: false; readonly name: string; readonly message: string };

/** Runs fetch inside the page (or frame) and reports what page script can see. */
const browserFetch = (target: Page | Frame, input: BrowserFetchInput): Promise<BrowserFetchResult> =>
  target.evaluate(async ({ url, method, headers, body }) => {
    try {
      const response = await fetch(url, {
        method: method ?? 'GET',
        headers: headers ?? {},
        ...(body === undefined ? {} : { body }),
      });
      return {
        ok: true as const,
        status: response.status,
        contentType: response.headers.get('content-type'),
        requestId: response.headers.get('x-request-id'),
        body: await response.text(),
      };
    } catch (error) {
      const failure = error as Error;
      return { ok: false as const, name: failure.name, message: failure.message };
    }
  }, input);

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const exchanges: Exchange[] = [];
const allowedPages = pageServer('allowed');
const disallowedPages = pageServer('disallowed');
let stack: LocalStack | undefined;
const proxy = recordingProxy(() => stack?.baseUrl ?? 'http://127.0.0.1:9', exchanges);
let allowedOrigin: string;
let disallowedOrigin: string;
let api: string;
let browser: LaunchedChromium | undefined;
let page: Page;

beforeAll(async () => {
  [allowedOrigin, disallowedOrigin, api] = await Promise.all([
    listen(allowedPages),
    listen(disallowedPages),
    listen(proxy),
  ]);
  const [stackResult, browserResult] = await Promise.allSettled([
    startLocalStack({ CORS_ALLOW_ORIGINS: allowedOrigin, PASSWORD_BCRYPT_COST: '10' }),
    launchChromium(),
  ]);
  if (stackResult.status === 'fulfilled') stack = stackResult.value;
  if (browserResult.status === 'fulfilled') browser = browserResult.value;
  if (stackResult.status === 'rejected') throw stackResult.reason;
  if (browserResult.status === 'rejected') throw browserResult.reason;
  page = browser?.context.pages()[0] ?? (await (browser as LaunchedChromium).context.newPage());
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await Promise.all([close(allowedPages), close(disallowedPages), close(proxy)]);
});

const exchangesFor = (path: string): Exchange[] => exchanges.filter((exchange) => exchange.path === path);

const createUserRequest = (path: string, apiKey: string, username: string): BrowserFetchInput => ({
  url: `${api}${path}`,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
  body: JSON.stringify({ username, password: 'correct horse battery staple' }),
});

describe('a page on an allowed origin', () => {
  beforeAll(async () => {
    await page.goto(`${allowedOrigin}/`);
  });

  it('reads the status and body of GET /health, a simple request that needs no preflight', async () => {
    const result = await browserFetch(page, { url: `${api}/health?case=simple` });
    expect(result).toMatchObject({ ok: true, status: 200, contentType: 'application/json' });
    expect(result.ok && JSON.parse(result.body)).toEqual({ status: 'ok' });
    expect(result.ok && result.requestId).toMatch(uuid);
    const seen = exchangesFor('/health?case=simple');
    expect(seen.map((exchange) => exchange.method)).toEqual(['GET']);
    expect(seen[0]?.requestHeaders.origin).toBe(allowedOrigin);
  });

  it('sends a credential-free preflight, then creates a user and reads the exposed x-request-id', async () => {
    const path = '/api/v1/user?case=create';
    const result = await browserFetch(page, {
      ...createUserRequest(path, stack?.apiKey ?? '', 'browser-alice'),
      headers: {
        'content-type': 'application/json',
        'x-api-key': stack?.apiKey ?? '',
        'x-request-id': 'browser-create-1',
      },
    });
    expect(result).toMatchObject({ ok: true, status: 201, requestId: 'browser-create-1' });
    expect(result.ok && JSON.parse(result.body)).toMatchObject({
      username: 'browser-alice',
      roles: ['user'],
    });

    const seen = exchangesFor(path);
    expect(seen.map((exchange) => `${exchange.method} ${exchange.status}`)).toEqual([
      'OPTIONS 204',
      'POST 201',
    ]);
    const [preflight, actual] = seen;
    expect(preflight?.requestHeaders['x-api-key']).toBeUndefined();
    expect(preflight?.requestHeaders['access-control-request-method']).toBe('POST');
    expect(preflight?.requestHeaders['access-control-request-headers']?.split(',').sort()).toEqual([
      'content-type',
      'x-api-key',
      'x-request-id',
    ]);
    expect(preflight?.responseHeaders['access-control-allow-origin']).toBe(allowedOrigin);
    expect(actual?.requestHeaders['x-api-key']).toBe(stack?.apiKey);
  });

  it('logs in, then sends GET /api/v1/user/me with Authorization: Bearer after a preflight that allows authorization', async () => {
    const loginPath = '/auth/login?case=browser-login';
    const login = await browserFetch(page, {
      url: `${api}${loginPath}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(stack?.admin ?? {}),
    });
    expect(login).toMatchObject({ ok: true, status: 200, contentType: 'application/json' });
    const tokens = login.ok
      ? (JSON.parse(login.body) as { access_token: string; token_type: string })
      : undefined;
    expect(tokens?.token_type).toBe('Bearer');

    const mePath = '/api/v1/user/me?case=browser-bearer';
    const me = await browserFetch(page, {
      url: `${api}${mePath}`,
      headers: { authorization: `Bearer ${tokens?.access_token ?? ''}` },
    });
    expect(me).toMatchObject({ ok: true, status: 200 });
    expect(me.ok && JSON.parse(me.body)).toMatchObject({ kind: 'user', username: 'admin', roles: ['admin'] });

    const seen = exchangesFor(mePath);
    expect(seen.map((exchange) => `${exchange.method} ${exchange.status}`)).toEqual([
      'OPTIONS 204',
      'GET 200',
    ]);
    const [preflight, actual] = seen;
    expect(preflight?.requestHeaders.authorization).toBeUndefined();
    expect(preflight?.requestHeaders['access-control-request-headers']).toBe('authorization');
    const allowed = String(preflight?.responseHeaders['access-control-allow-headers'] ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase());
    expect(allowed).toContain('authorization');
    expect(preflight?.responseHeaders['access-control-allow-origin']).toBe(allowedOrigin);
    expect(actual?.requestHeaders.authorization).toBe(`Bearer ${tokens?.access_token ?? ''}`);
  });

  it('passes the preflight for a request with a wrong key and lets the page read the 401 problem', async () => {
    const path = '/api/v1/user?case=wrong-key';
    const result = await browserFetch(page, createUserRequest(path, 'not-the-key', 'browser-bob'));
    expect(result).toMatchObject({ ok: true, status: 401, contentType: 'application/problem+json' });
    const problem = result.ok ? (JSON.parse(result.body) as Record<string, unknown>) : {};
    expect(problem).toMatchObject({ type: 'urn:bulwark:problem:invalid-credentials', status: 401 });
    expect(result.ok && result.requestId).toBe(problem.request_id);

    const seen = exchangesFor(path);
    expect(seen.map((exchange) => `${exchange.method} ${exchange.status}`)).toEqual([
      'OPTIONS 204',
      'POST 401',
    ]);
    expect(seen[0]?.requestHeaders['x-api-key']).toBeUndefined();
  });
});

describe('a page on an origin that is not allowed', () => {
  beforeAll(async () => {
    await page.goto(`${disallowedOrigin}/`);
  });

  it('gets a TypeError from fetch although the server answered 200', async () => {
    const result = await browserFetch(page, { url: `${api}/health?case=disallowed` });
    expect(result).toMatchObject({ ok: false, name: 'TypeError' });
    const seen = exchangesFor('/health?case=disallowed');
    expect(seen.map((exchange) => `${exchange.method} ${exchange.status}`)).toEqual(['GET 200']);
    expect(seen[0]?.requestHeaders.origin).toBe(disallowedOrigin);
    expect(seen[0]?.responseHeaders['access-control-allow-origin']).toBeUndefined();
  });

  it('never sends the POST, because the preflight grants nothing', async () => {
    const path = '/api/v1/user?case=disallowed';
    const result = await browserFetch(page, createUserRequest(path, stack?.apiKey ?? '', 'browser-eve'));
    expect(result).toMatchObject({ ok: false, name: 'TypeError' });
    const seen = exchangesFor(path);
    expect(seen.map((exchange) => exchange.method)).toEqual(['OPTIONS']);
    expect(seen[0]?.responseHeaders['access-control-allow-origin']).toBeUndefined();
  });
});

describe('a sandboxed frame (origin null) inside an allowed page', () => {
  it('cannot read the response', async () => {
    await page.goto(`${allowedOrigin}/sandboxed`);
    const frame = await (await page.waitForSelector('iframe[name="sandboxed"]')).contentFrame();
    if (frame === null) throw new Error('the sandboxed iframe has no frame');
    await frame.waitForLoadState();
    expect(await frame.evaluate('self.origin')).toBe('null');
    const result = await browserFetch(frame, { url: `${api}/health?case=null-origin` });
    expect(result).toMatchObject({ ok: false, name: 'TypeError' });
    const seen = exchangesFor('/health?case=null-origin');
    expect(seen.map((exchange) => `${exchange.method} ${exchange.status}`)).toEqual(['GET 200']);
    expect(seen[0]?.requestHeaders.origin).toBe('null');
    expect(seen[0]?.responseHeaders['access-control-allow-origin']).toBeUndefined();
  });
});
