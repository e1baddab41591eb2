/**
 * The realtime gateway (ADR 0014), attacked with the WebSocket client browsers have (Node's own): the
 * handshake refuses made-up, reused and URL-borne tokens and never echoes one, and a logout reaches an
 * open socket. The gateway's URL comes from the token mint, so a stage needs no extra setting; a target
 * without the realtime routes (404 at the datasource admin route) skips.
 */
import { randomBytes } from 'node:crypto';
import { connectRealtime, type TestSocket, within } from '../../support/websocket-client.js';
import { describeAnswer, expectJson } from '../expect-answer.js';
import { fail, type SecurityCheck, skip, variant } from '../security-check.js';
import { bearer, type Client, logIn, type Target } from '../target.js';

interface MintedToken {
  readonly token: string;
  readonly url: string;
}

/** A datasource of the suite's own (readable by users and admins), or a skip when the target has none. */
const suiteDatasource = async (target: Target, client: Client): Promise<string> => {
  if (target.adminApiKey === undefined) return skip('needs an admin API key (BULWARK_API_KEY)');
  const id = `sec-${randomBytes(5).toString('hex')}`;
  const answer = await client.send({
    method: 'PUT',
    path: `/admin/datasources/${id}`,
    headers: { [target.apiKeyHeader]: target.adminApiKey },
    json: { read_roles: ['user', 'admin'], write_roles: ['admin'] },
  });
  if (answer.status === 404) return skip('the target serves no realtime routes');
  if (answer.status !== 201) fail(`expected 201 creating a datasource; saw ${describeAnswer(answer)}`);
  return id;
};

const mint = async (client: Client, datasource: string, headers: Record<string, string>) =>
  expectJson<MintedToken>(
    await client.send({ method: 'POST', path: `/api/v1/datasources/${datasource}/token`, headers }),
    200,
    'the datasource token mint',
  );

/** Whether a handshake with these subprotocols opens (then closes it) or is refused. */
const opens = async (url: string, protocols: readonly string[]): Promise<TestSocket | undefined> => {
  const socket = connectRealtime(url, protocols);
  try {
    await within(socket.opened, 15_000, 'the handshake');
    return socket;
  } catch {
    socket.close();
    return undefined;
  }
};

export const realtimeChecks: readonly SecurityCheck[] = [
  {
    id: 'realtime.handshake-refusals',
    proves:
      'the realtime gateway refuses a made-up token, a token in the URL instead of Sec-WebSocket-Protocol and a token already used, and echoes only bulwark.v1',
    run: async (target) => {
      const client = target.client();
      const datasource = await suiteDatasource(target, client);
      const admin = { [target.apiKeyHeader]: target.adminApiKey ?? '' };
      const { token, url } = await mint(client, datasource, admin);
      await variant('a made-up token', async () => {
        const socket = await opens(url, ['bulwark.v1', `bdt_${randomBytes(32).toString('base64url')}`]);
        if (socket !== undefined) {
          socket.close();
          fail('the handshake opened');
        }
      });
      await variant('the token in the query string only', async () => {
        const socket = await opens(`${url}?token=${encodeURIComponent(token)}`, ['bulwark.v1']);
        if (socket !== undefined) {
          socket.close();
          fail('the handshake opened');
        }
      });
      await variant('the real token', async () => {
        const socket = await opens(url, ['bulwark.v1', token]);
        if (socket === undefined) return fail('the handshake was refused');
        const protocol = socket.socket.protocol;
        socket.close();
        if (protocol !== 'bulwark.v1') fail(`the gateway chose the subprotocol ${JSON.stringify(protocol)}`);
      });
      await variant('the same token again', async () => {
        const socket = await opens(url, ['bulwark.v1', token]);
        if (socket !== undefined) {
          socket.close();
          fail('a used token opened a second connection');
        }
      });
    },
  },
  {
    id: 'realtime.logout-closes-socket',
    proves:
      'after POST /auth/logout an open realtime connection of that session gets a connection-revoked frame and is closed within 20 seconds',
    run: async (target) => {
      const client = target.client();
      const datasource = await suiteDatasource(target, client);
      const pair = await logIn(client, await target.createUser());
      const { token, url } = await mint(client, datasource, bearer(pair.access_token));
      const socket = await opens(url, ['bulwark.v1', token]);
      if (socket === undefined) return fail('the handshake with a fresh token was refused');
      try {
        socket.send({ action: 'subscribe', channel: `datasource:${datasource}`, id: 'sub' });
        await socket
          .frame((frame) => frame.id === 'sub', 0, 15_000)
          .then((frame) => {
            if (frame.type !== 'subscribed') fail(`the subscribe was answered ${JSON.stringify(frame)}`);
          });
        const logout = await client.send({
          method: 'POST',
          path: '/auth/logout',
          headers: bearer(pair.access_token),
        });
        if (logout.status !== 204) fail(`expected 204 from POST /auth/logout; saw ${describeAnswer(logout)}`);
        const closed = await within(socket.closed, 20_000, 'the close after logout').catch(() =>
          fail('the socket was still open 20 seconds after the logout'),
        );
        const last = socket.frames.at(-1);
        if (last?.type !== 'error' || last.problem?.type !== 'urn:bulwark:problem:connection-revoked')
          fail(
            `the socket closed (${closed.code}) without a connection-revoked frame; last frame ${JSON.stringify(last)}`,
          );
      } finally {
        socket.close();
      }
    },
  },
];
