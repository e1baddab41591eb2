/**
 * The realtime gateway end to end against `npm start` (scripts/local-stack.ts) as a child process, with
 * Node's own WebSocket client: mint a datasource token over REST, connect with it in Sec-WebSocket-Protocol,
 * subscribe, receive a published event; single use, limits, malformed messages, and revocation (logout,
 * API key, deleted datasource) reaching the open socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../support/local-stack-process.js';
import { connectRealtime, type TestSocket, within } from '../support/websocket-client.js';

let stack: LocalStack;
let url: string;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    PASSWORD_BCRYPT_COST: '10',
    API_TRUST_PROXY_HOPS: '1',
    REALTIME_TRUST_PROXY_HOPS: '1',
    REALTIME_CONNECTS_PER_PRINCIPAL: '4',
    REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
  });
  if (stack.realtimeUrl === undefined) throw new Error('npm start wrote no realtimeUrl');
  url = stack.realtimeUrl;
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await stack?.stop();
});

let nextClient = 10;
/** Each test its own client address (one trusted hop), so per-address limits do not couple tests. */
const newClientIp = () => `203.0.113.${nextClient++}`;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

const call = async (
  path: string,
  options: { method?: string; credential?: Record<string, string>; json?: unknown; clientIp?: string } = {},
): Promise<Answer> => {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.credential ?? {}),
      'x-forwarded-for': options.clientIp ?? '198.51.100.1',
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) };
};

const admin = () => ({ 'x-api-key': stack.apiKey });

const newUser = async (roles: string[] = ['user']): Promise<{ bearer: Record<string, string> }> => {
  const username = `rt-user-${nextClient++}`;
  const password = 'correct horse battery staple';
  const created = await call('/api/v1/user', { credential: admin(), json: { username, password, roles } });
  expect(created.status).toBe(201);
  const login = await call('/auth/login', { json: { username, password }, clientIp: newClientIp() });
  expect(login.status).toBe(200);
  return { bearer: { authorization: `Bearer ${String(login.body.access_token)}` } };
};

const putDatasource = async (id: string, readRoles = ['user', 'admin'], writeRoles = ['admin']) => {
  const answer = await call(`/admin/datasources/${id}`, {
    method: 'PUT',
    credential: admin(),
    json: { read_roles: readRoles, write_roles: writeRoles },
  });
  expect([200, 201]).toContain(answer.status);
};

const mint = async (datasource: string, credential: Record<string, string>, clientIp = newClientIp()) =>
  call(`/api/v1/datasources/${datasource}/token`, { method: 'POST', credential, clientIp });

/** Opens a connection with a fresh token; the socket is closed after the file. */
const open = async (datasource: string, credential: Record<string, string>): Promise<TestSocket> => {
  const minted = await mint(datasource, credential);
  expect(minted.status).toBe(200);
  const socket = connectRealtime(String(minted.body.url), ['bulwark.v1', String(minted.body.token)]);
  sockets.push(socket);
  await within(socket.opened, 10_000, 'open');
  return socket;
};

const subscribe = async (socket: TestSocket, channel: string, id = `s-${nextClient++}`) => {
  const from = socket.frames.length;
  socket.send({ action: 'subscribe', channel, id });
  return socket.frame((frame) => frame.id === id, from);
};

describe('the realtime gateway, end to end with Node’s WebSocket client', () => {
  it('mints a token, connects with it as a subprotocol, subscribes and receives a published event', async () => {
    await putDatasource('orders');
    const alice = await newUser();
    const minted = await mint('orders', alice.bearer);
    expect(minted.status).toBe(200);
    expect(minted.body.url).toBe(url);
    expect(minted.body.expires_in).toBe(30);
    expect(String(minted.body.token)).toMatch(/^bdt_[A-Za-z0-9_-]{43}$/);
    expect(minted.headers.get('cache-control')).toBe('no-store');

    const socket = connectRealtime(url, ['bulwark.v1', String(minted.body.token)]);
    sockets.push(socket);
    await within(socket.opened, 10_000, 'open');
    // The gateway echoes exactly bulwark.v1, never the token.
    expect(socket.socket.protocol).toBe('bulwark.v1');

    expect(await subscribe(socket, 'datasource:orders', 'sub-1')).toEqual({
      type: 'subscribed',
      channel: 'datasource:orders',
      id: 'sub-1',
    });
    const from = socket.frames.length;
    const published = await call('/api/v1/datasources/orders/events', {
      credential: admin(),
      json: { order: 42, status: 'shipped' },
    });
    expect(published.status).toBe(202);
    expect(published.body).toEqual({ delivered: 1 });
    expect(await socket.frame((frame) => frame.type === 'event', from)).toEqual({
      type: 'event',
      channel: 'datasource:orders',
      data: { order: 42, status: 'shipped' },
    });
  });

  it('accepts a token once: a second connect with it is refused', async () => {
    await putDatasource('single-use');
    const bob = await newUser();
    const minted = await mint('single-use', bob.bearer);
    const first = connectRealtime(url, ['bulwark.v1', String(minted.body.token)]);
    sockets.push(first);
    await within(first.opened, 10_000, 'first open');
    const second = connectRealtime(url, ['bulwark.v1', String(minted.body.token)]);
    await expect(second.opened).rejects.toThrow();
    expect((await second.closed).code).toBe(1006);
  });

  it('refuses a connect without bulwark.v1, without a token, or with a made-up one', async () => {
    const bob = await newUser();
    await putDatasource('refusals');
    const minted = await mint('refusals', bob.bearer);
    for (const protocols of [
      [String(minted.body.token)],
      ['bulwark.v1'],
      ['bulwark.v1', `bdt_${'A'.repeat(43)}`],
      ['bulwark.v1', 'not-a-token'],
    ]) {
      const socket = connectRealtime(url, protocols);
      await expect(socket.opened, protocols.join(',')).rejects.toThrow();
      expect((await socket.closed).code).toBe(1006);
    }
    // The unused token still connects: the refusals spent nothing of it.
    const socket = connectRealtime(url, ['bulwark.v1', String(minted.body.token)]);
    sockets.push(socket);
    await within(socket.opened, 10_000, 'open');
  });

  it('answers unknown datasources 404 and missing read roles 403 at the mint', async () => {
    await putDatasource('admins-only', ['admin'], ['admin']);
    const carol = await newUser();
    expect((await mint('no-such-datasource', carol.bearer)).status).toBe(404);
    const forbidden = await mint('admins-only', carol.bearer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toBe('application/problem+json');
    expect((await mint('Bad_Id', carol.bearer)).status).toBe(404);
  });

  it('answers 429 with Retry-After at the mint past the per-principal connect limit', async () => {
    await putDatasource('limited');
    const dave = await newUser();
    const statuses: number[] = [];
    let limited: Answer | undefined;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const answer = await mint('limited', dave.bearer);
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses.slice(4)).toEqual([429, 429]);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited?.body.type).toBe('urn:bulwark:problem:quota-exceeded');
  });

  it('answers every bad message with an error frame and keeps the connection open', async () => {
    await putDatasource('messages');
    await putDatasource('other');
    const erin = await newUser();
    const socket = await open('messages', erin.bearer);
    let from = socket.frames.length;
    socket.send('not json');
    expect((await socket.frame((frame) => frame.type === 'error', from)).status).toBe(400);
    from = socket.frames.length;
    socket.send({ action: 'dance', channel: 'datasource:messages', id: 'x1' });
    const invalid = await socket.frame((frame) => frame.id === 'x1', from);
    expect(invalid.status).toBe(422);
    expect(invalid.problem?.type).toBe('urn:bulwark:problem:validation-failed');
    from = socket.frames.length;
    socket.send({ action: 'subscribe', channel: 'x'.repeat(5000) });
    expect((await socket.frame((frame) => frame.type === 'error', from)).status).toBe(413);
    // A datasource the token does not cover: 403.
    expect((await subscribe(socket, 'datasource:other')).status).toBe(403);
    // Public channels: any connection; the cap on subscriptions per connection (2 here) applies.
    expect((await subscribe(socket, 'public:news')).type).toBe('subscribed');
    expect((await subscribe(socket, 'public:news')).type).toBe('subscribed');
    expect((await subscribe(socket, 'datasource:messages')).type).toBe('subscribed');
    const full = await subscribe(socket, 'public:sport');
    expect(full.status).toBe(409);
    expect(full.problem?.type).toBe('urn:bulwark:problem:subscription-limit');
    from = socket.frames.length;
    socket.send({ action: 'unsubscribe', channel: 'public:news', id: 'u1' });
    expect(await socket.frame((frame) => frame.id === 'u1', from)).toEqual({
      type: 'unsubscribed',
      channel: 'public:news',
      id: 'u1',
    });
    expect((await subscribe(socket, 'public:sport')).type).toBe('subscribed');
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a connection with 1009 when a message is over 128 KiB, as API Gateway does', async () => {
    await putDatasource('big');
    const frank = await newUser();
    const socket = await open('big', frank.bearer);
    socket.send('x'.repeat(129 * 1024));
    expect((await within(socket.closed, 10_000, 'close')).code).toBe(1009);
  });

  it('closes the socket within seconds of a logout, saying why in a frame first', async () => {
    await putDatasource('logout');
    const grace = await newUser();
    const socket = await open('logout', grace.bearer);
    expect((await subscribe(socket, 'datasource:logout')).type).toBe('subscribed');
    const from = socket.frames.length;
    expect((await call('/auth/logout', { method: 'POST', credential: grace.bearer, json: {} })).status).toBe(
      204,
    );
    const closing = await socket.frame((frame) => frame.type === 'error', from, 15_000);
    expect(closing.status).toBe(401);
    expect(closing.close).toBe(1008);
    expect(closing.problem?.type).toBe('urn:bulwark:problem:connection-revoked');
    expect((await within(socket.closed, 15_000, 'close')).code).toBe(1000);
    // The revoked session mints nothing more.
    expect((await mint('logout', grace.bearer)).status).toBe(401);
  });

  it('closes the sockets of a revoked API key and of a deleted datasource', async () => {
    await putDatasource('keys');
    const issued = await call('/admin/api-keys', {
      credential: admin(),
      json: { name: 'rt', roles: ['user'] },
    });
    expect(issued.status).toBe(201);
    const key = { 'x-api-key': String(issued.body.api_key) };
    const keySocket = await open('keys', key);
    const revoked = await call(`/admin/api-keys/${String(issued.body.key_id)}`, {
      method: 'DELETE',
      credential: admin(),
    });
    expect(revoked.status).toBe(204);
    expect((await keySocket.frame((frame) => frame.type === 'error', 0, 15_000)).problem?.type).toBe(
      'urn:bulwark:problem:connection-revoked',
    );
    expect((await within(keySocket.closed, 15_000, 'close')).code).toBe(1000);

    await putDatasource('doomed');
    const henry = await newUser();
    const doomed = await open('doomed', henry.bearer);
    expect((await call('/admin/datasources/doomed', { method: 'DELETE', credential: admin() })).status).toBe(
      204,
    );
    expect((await doomed.frame((frame) => frame.type === 'error', 0, 15_000)).problem?.type).toBe(
      'urn:bulwark:problem:datasource-deleted',
    );
    expect((await within(doomed.closed, 15_000, 'close')).code).toBe(1000);
    expect((await mint('doomed', henry.bearer)).status).toBe(404);
  });

  it('lists and deletes datasources for admins only', async () => {
    await putDatasource('listed');
    const listed = await call('/admin/datasources', { credential: admin() });
    expect(listed.status).toBe(200);
    expect((listed.body.datasources as { id: string }[]).map((entry) => entry.id)).toContain('listed');
    const ivan = await newUser();
    expect((await call('/admin/datasources', { credential: ivan.bearer })).status).toBe(403);
    expect(
      (
        await call('/admin/datasources/Not_A_Slug', {
          method: 'PUT',
          credential: admin(),
          json: { read_roles: ['user'], write_roles: [] },
        })
      ).status,
    ).toBe(400);
  });
});
