import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChannel } from '../../../shared/domain/realtime/channel.js';
import { parseClientMessage } from '../../../shared/domain/realtime/client-message.js';
import { CredentialsInvalidError, CredentialsMissingError } from '../../../shared/errors/auth-errors.js';
import {
  REALTIME_SUBPROTOCOL,
  SubprotocolMissingError,
  tokenFromSubprotocols,
} from '../../../shared/gateway/realtime-connect.js';
import { errorFrame } from '../../../shared/http/realtime-frames.js';

const maxBytes = 4096;
const slug = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/);
const channel = fc
  .tuple(fc.constantFrom('datasource', 'public'), slug)
  .map(([kind, name]) => `${kind}:${name}`);

describe('parseClientMessage', () => {
  it('accepts every well-formed subscribe and unsubscribe and names the channel back as written', () => {
    fc.assert(
      fc.property(fc.constantFrom('subscribe', 'unsubscribe'), channel, (action, name) => {
        const parsed = parseClientMessage(JSON.stringify({ action, channel: name }), { maxBytes });
        expect(parsed.ok).toBe(true);
        if (parsed.ok) {
          expect(parsed.message).toMatchObject({ action, channelName: name });
          expect(parsed.message.channel).toEqual(parseChannel(name));
        }
      }),
    );
  });

  it('never throws: any text is a message or an error with a 4xx status, and errors never repeat the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (body) => {
        const parsed = parseClientMessage(body, { maxBytes });
        if (parsed.ok) return;
        const frame = JSON.parse(errorFrame(parsed.error, 'req-1')) as { status: number; problem: object };
        expect([400, 413, 422]).toContain(frame.status);
        if (body.length >= 8) expect(JSON.stringify(frame.problem)).not.toContain(body);
      }),
    );
  });

  it('refuses unknown actions, unknown fields and channels that are not <kind>:<slug> with 422', () => {
    for (const message of [
      { action: 'publish', channel: 'public:a' },
      { action: 'subscribe', channel: 'public:a', extra: true },
      { action: 'subscribe', channel: 'private:a' },
      { action: 'subscribe', channel: 'public:A' },
      { action: 'subscribe', channel: 'public:-a' },
      { action: 'subscribe', channel: `public:${'a'.repeat(33)}` },
      { action: 'subscribe' },
      ['subscribe', 'public:a'],
    ]) {
      const parsed = parseClientMessage(JSON.stringify(message), { maxBytes });
      expect(parsed.ok, JSON.stringify(message)).toBe(false);
      if (!parsed.ok) expect(parsed.error.code).toBe('validation-failed');
    }
  });

  it('answers 413 above the byte limit, counted in UTF-8 bytes, and 400 for non-JSON or invalid UTF-8', () => {
    const padded = (length: number) =>
      JSON.stringify({ action: 'subscribe', channel: 'public:a', id: 'x' }).padEnd(length, ' ');
    expect(parseClientMessage(padded(maxBytes), { maxBytes }).ok).toBe(true);
    const over = parseClientMessage(padded(maxBytes + 1), { maxBytes });
    expect(!over.ok && over.error.code).toBe('body-too-large');
    const multiByte = parseClientMessage(`${padded(maxBytes - 1)}é`, { maxBytes });
    expect(!multiByte.ok && multiByte.error.code).toBe('body-too-large');
    const notJson = parseClientMessage('subscribe public:a', { maxBytes });
    expect(!notJson.ok && notJson.error.code).toBe('malformed-json');
    const invalidUtf8 = parseClientMessage(Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'), {
      maxBytes,
      isBase64Encoded: true,
    });
    expect(!invalidUtf8.ok && invalidUtf8.error.code).toBe('malformed-json');
  });

  it('keeps a valid id on an invalid message so the client can match the error', () => {
    const parsed = parseClientMessage(JSON.stringify({ action: 'subscribe', channel: 'nope', id: 'm-7' }), {
      maxBytes,
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.id).toBe('m-7');
  });
});

describe('the token in Sec-WebSocket-Protocol', () => {
  const token = `bdt_${'A'.repeat(43)}`;

  it('is the one entry offered next to bulwark.v1, whatever the order or header lines', () => {
    expect(tokenFromSubprotocols([`${REALTIME_SUBPROTOCOL}, ${token}`])).toBe(token);
    expect(tokenFromSubprotocols([token, REALTIME_SUBPROTOCOL])).toBe(token);
    expect(tokenFromSubprotocols([` ${token} ,${REALTIME_SUBPROTOCOL}`])).toBe(token);
  });

  it('refuses an offer without bulwark.v1 (400), without a token (401) or with several (401)', () => {
    expect(() => tokenFromSubprotocols([token])).toThrow(SubprotocolMissingError);
    expect(() => tokenFromSubprotocols([])).toThrow(SubprotocolMissingError);
    expect(() => tokenFromSubprotocols([REALTIME_SUBPROTOCOL])).toThrow(CredentialsMissingError);
    expect(() => tokenFromSubprotocols([`${REALTIME_SUBPROTOCOL}, ${token}, other`])).toThrow(
      CredentialsInvalidError,
    );
  });

  it('never throws anything but a refusal, for any offered header', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (values) => {
        try {
          tokenFromSubprotocols(values);
        } catch (error) {
          expect(
            error instanceof SubprotocolMissingError ||
              error instanceof CredentialsMissingError ||
              error instanceof CredentialsInvalidError,
          ).toBe(true);
        }
      }),
    );
  });
});
