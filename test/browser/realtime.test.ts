/**
 * The realtime gateway as a real browser uses it: Chromium's own WebSocket connects to `npm start`'s
 * gateway emulator with the datasource token as a subprotocol next to `bulwark.v1`, subscribes, receives
 * an event published over REST, and learns why it is closed when its datasource is deleted. A browser
 * cannot set headers on a WebSocket, so this is the path every web client takes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, WebSocket as PageWebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../support/chromium.js';
import { type LocalStack, startLocalStack } from '../support/local-stack-process.js';

let stack: LocalStack | undefined;
let browser: LaunchedChromium | undefined;
let page: Page;
let pageOrigin: string;

/** A blank page to run the client from (a real origin, as an app's page would have). */
const pages: Server = createServer((_, response) => {
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  response.end('<!doctype html><html><head><meta charset="utf-8"><title>realtime</title></head></html>');
});

beforeAll(async () => {
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  const [stackResult, browserResult] = await Promise.allSettled([
    startLocalStack({ PASSWORD_BCRYPT_COST: '10' }),
    launchChromium(),
  ]);
  if (stackResult.status === 'fulfilled') stack = stackResult.value;
  if (browserResult.status === 'fulfilled') browser = browserResult.value;
  if (stackResult.status === 'rejected') throw stackResult.reason;
  if (browserResult.status === 'rejected') throw browserResult.reason;
  page = await browserResult.value.context.newPage();
  await page.goto(`${pageOrigin}/`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  pages.closeAllConnections();
  await new Promise<void>((resolve) => pages.close(() => resolve()));
});

const admin = async (path: string, method: string, json?: unknown) => {
  if (stack === undefined) throw new Error('no stack');
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: {
      'x-api-key': stack.apiKey,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
};

describe('the realtime gateway in Chromium', () => {
  it('connects with the token as a subprotocol, receives a published event, and is told why it is closed', async () => {
    expect(
      (
        await admin('/admin/datasources/browser-feed', 'PUT', {
          read_roles: ['admin'],
          write_roles: ['admin'],
        })
      ).status,
    ).toBe(201);
    const minted = await admin('/api/v1/datasources/browser-feed/token', 'POST');
    expect(minted.status).toBe(200);
    const { token, url } = minted.body as { token: string; url: string };

    const sockets: PageWebSocket[] = [];
    page.on('websocket', (socket) => sockets.push(socket));
    // The page's own WebSocket: open, subscribe, record every frame and the close.
    await page.evaluate(
      ({ url, token }) =>
        new Promise<void>((resolve, reject) => {
          const state = { protocol: '', frames: [] as unknown[], close: undefined as unknown };
          (globalThis as unknown as { realtime: typeof state }).realtime = state;
          const socket = new WebSocket(url, ['bulwark.v1', token]);
          socket.onopen = () => {
            state.protocol = socket.protocol;
            socket.send(
              JSON.stringify({ action: 'subscribe', channel: 'datasource:browser-feed', id: 'sub-1' }),
            );
          };
          socket.onmessage = (message) => {
            const frame = JSON.parse(String(message.data)) as { type: string };
            state.frames.push(frame);
            if (frame.type === 'subscribed') resolve();
            if (frame.type === 'error' && state.frames.length === 1) reject(new Error(String(message.data)));
          };
          socket.onclose = (event) => {
            state.close = { code: event.code, wasClean: event.wasClean };
          };
          socket.onerror = () => reject(new Error('the WebSocket failed'));
        }),
      { url, token },
    );
    const realtime = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { realtime: { protocol: string; frames: unknown[]; close: unknown } })
            .realtime,
      );
    // The gateway echoed bulwark.v1, never the token, and the token was not in the URL.
    expect((await realtime()).protocol).toBe('bulwark.v1');
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.url()).not.toContain(token);

    const published = await admin('/api/v1/datasources/browser-feed/events', 'POST', { order: 42 });
    expect(published).toEqual({ status: 202, body: { delivered: 1 } });
    await expect
      .poll(async () => (await realtime()).frames, { timeout: 15_000 })
      .toContainEqual({ type: 'event', channel: 'datasource:browser-feed', data: { order: 42 } });

    // Deleting the datasource closes the socket: first a frame saying why, then API Gateway's 1000.
    expect((await admin('/admin/datasources/browser-feed', 'DELETE')).status).toBe(204);
    await expect
      .poll(async () => (await realtime()).close, { timeout: 20_000 })
      .toEqual({
        code: 1000,
        wasClean: true,
      });
    expect((await realtime()).frames.at(-1)).toMatchObject({
      type: 'error',
      close: 1008,
      problem: { type: 'urn:bulwark:problem:datasource-deleted' },
    });
  }, 90_000);
});
