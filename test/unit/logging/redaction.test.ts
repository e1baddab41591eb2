/**
 * What the production logger (createLogger + requestLogger) actually writes: credentials under any
 * sensitive key, at any depth, never reach the output; the request id is on every line.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/logging/create-logger.js';
import { REDACTED as LOGGER_REDACTED } from '../../../shared/logging/redact-sensitive.js';
import { requestLogger } from '../../../shared/logging/request-logger.js';
import { importFresh } from '../../support/import-fresh.js';
import { chainOf } from '../../support/test-chain.js';
import {
  apiGatewayEvent,
  captureLogs,
  issueTestAccessToken,
  lambdaContext,
  TEST_API_KEY,
  testRuntime,
} from '../../support/test-runtime.js';

type RedactModule = typeof import('../../../shared/logging/redact-sensitive.js');
// Loaded afresh for each test, so the sensitive-key pattern (a module constant) is mutation-tested by the
// tests that call the functions directly; the logger tests check the instance the logger really uses.
let isSensitiveKey: RedactModule['isSensitiveKey'];
let redactSensitive: RedactModule['redactSensitive'];
let redactText: RedactModule['redactText'];
let createRedactor: RedactModule['createRedactor'];
let REDACTED: RedactModule['REDACTED'];
let TRUNCATED: RedactModule['TRUNCATED'];
beforeEach(async () => {
  ({ isSensitiveKey, redactSensitive, redactText, createRedactor, REDACTED, TRUNCATED } =
    await importFresh<RedactModule>(new URL('../../../shared/logging/redact-sensitive.js', import.meta.url)));
});

const secrets = {
  password: 'S3cret-password-value-1',
  token: 'S3cret-token-value-2',
  authorization: 'Bearer S3cret-authorization-value-3',
  apiKeyHeader: 'S3cret-x-api-key-value-4',
  apiKey: 'S3cret-apiKey-value-5',
  nestedAuthorization: 'Bearer S3cret-nested-authorization-value-6',
  cookie: 'session=S3cret-cookie-value-7',
  clientSecret: 'S3cret-client-secret-value-8',
  causeToken: 'S3cret-cause-token-value-9',
  passwordHash: '$2b$11$S3cretHashValue10abcdefghijklmnopqrstuvwxyz0123',
};

const expectNoSecret = (text: string): void => {
  for (const [name, value] of Object.entries(secrets)) {
    expect(text, `${name} leaked`).not.toContain(value);
  }
  expect(text).not.toContain('S3cret');
};

const loggerWithCapture = (level: 'debug' | 'info' = 'debug') => {
  const logger = createLogger(level);
  return { logger, logs: captureLogs(logger) };
};

describe('createLogger with requestLogger', () => {
  it('writes no credential under a sensitive key, at the top level or nested', () => {
    const { logger, logs } = loggerWithCapture();
    const log = requestLogger(logger, 'req-redact-1');
    log.info('login attempt', {
      username: 'alice',
      password: secrets.password,
      token: secrets.token,
      authorization: secrets.authorization,
      'x-api-key': secrets.apiKeyHeader,
      apiKey: secrets.apiKey,
      headers: {
        Authorization: secrets.nestedAuthorization,
        Cookie: secrets.cookie,
        Accept: 'application/json',
      },
      client: { oauth: { client_secret: secrets.clientSecret } },
      user: { passwordHash: secrets.passwordHash },
    });
    expect(logs.lines).toHaveLength(1);
    expectNoSecret(logs.text());
    const [entry] = logs.entries();
    expect(entry).toMatchObject({
      level: 'INFO',
      message: 'login attempt',
      service: 'bulwark',
      request_id: 'req-redact-1',
      username: 'alice',
      password: LOGGER_REDACTED,
      token: LOGGER_REDACTED,
      authorization: LOGGER_REDACTED,
      'x-api-key': LOGGER_REDACTED,
      apiKey: LOGGER_REDACTED,
      headers: { Authorization: LOGGER_REDACTED, Cookie: LOGGER_REDACTED, Accept: 'application/json' },
      client: { oauth: { client_secret: LOGGER_REDACTED } },
      user: { passwordHash: LOGGER_REDACTED },
    });
  });

  it('redacts header arrays (multiValueHeaders) under a sensitive name', () => {
    const { logger, logs } = loggerWithCapture();
    requestLogger(logger, 'req-redact-2').warn('headers', {
      multiValueHeaders: { 'X-Api-Key': [secrets.apiKeyHeader], authorization: [secrets.authorization] },
    });
    expectNoSecret(logs.text());
    expect(logs.entries()[0]).toMatchObject({
      multiValueHeaders: { 'X-Api-Key': LOGGER_REDACTED, authorization: LOGGER_REDACTED },
    });
  });

  it('redacts sensitive keys inside a logged error and its cause', () => {
    const { logger, logs } = loggerWithCapture();
    const cause = Object.assign(new Error('upstream refused'), { token: secrets.causeToken });
    const error = new Error('request failed', {
      cause: { request: { headers: { authorization: secrets.authorization } }, inner: cause },
    });
    requestLogger(logger, 'req-redact-3').error('request failed', { error });
    expectNoSecret(logs.text());
    expect(logs.text()).toContain('upstream refused');
  });

  it('puts the request id on every line, at every level', () => {
    const { logger, logs } = loggerWithCapture('debug');
    const log = requestLogger(logger, 'req-every-line');
    log.debug('one');
    log.info('two', { token: secrets.token });
    log.warn('three', { request_id: 'spoofed' });
    log.error('four', { nested: { password: secrets.password } });
    expect(logs.messages()).toEqual(['one', 'two', 'three', 'four']);
    for (const entry of logs.entries()) expect(entry.request_id).toBe('req-every-line');
    expectNoSecret(logs.text());
  });

  it('keeps concurrent requests apart on one shared logger', () => {
    const { logger, logs } = loggerWithCapture();
    const first = requestLogger(logger, 'req-a');
    const second = requestLogger(logger, 'req-b');
    first.info('a1');
    second.info('b1');
    first.info('a2');
    expect(logs.entries().map((entry) => [entry.message, entry.request_id])).toEqual([
      ['a1', 'req-a'],
      ['b1', 'req-b'],
      ['a2', 'req-a'],
    ]);
  });

  it('does not write debug lines at LOG_LEVEL=info', () => {
    const { logger, logs } = loggerWithCapture('info');
    requestLogger(logger, 'req-level').debug('hidden');
    requestLogger(logger, 'req-level').info('shown');
    expect(logs.messages()).toEqual(['shown']);
  });
});

describe('redactSensitive', () => {
  it('writes [REDACTED] in place of a sensitive value', () => {
    expect(REDACTED).toBe('[REDACTED]');
    expect(redactSensitive('password', 'hunter2')).toBe('[REDACTED]');
  });

  it.each([
    'password',
    'Password',
    'passwd',
    'passphrase',
    'newPassword',
    'token',
    'refresh_token',
    'authorization',
    'Proxy-Authorization',
    'x-api-key',
    'apiKey',
    'api_key',
    'cookie',
    'Set-Cookie',
    'client_secret',
    'credentials',
    'signature',
    'private_key',
    'private-key',
    'privateKey',
    'passwordHash',
    'pass',
    'apikey',
    'api-key',
    'secret',
    'hash',
  ])('treats %s as sensitive', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
    expect(redactSensitive(key, 'value')).toBe(REDACTED);
  });

  it.each(['username', 'email', 'request_id', 'status', 'path', 'method', 'roles'])(
    'leaves %s alone',
    (key) => {
      expect(redactSensitive(key, 'value')).toBe('value');
    },
  );

  it('leaves the root object and absent values alone', () => {
    const root = { a: 1 };
    expect(redactSensitive('', root)).toBe(root);
    expect(redactSensitive('password', undefined)).toBeUndefined();
    expect(redactSensitive('password', null)).toBeNull();
  });
});

describe('logging through the security chain', () => {
  it.each(['an API key', 'an access token'] as const)(
    'writes no credential when a route logs the whole request authenticated with %s, and stamps every line with its id',
    async (credential) => {
      const runtime = testRuntime({ LOG_LEVEL: 'debug' });
      const handler = await chainOf(runtime, { auth: 'required' }, async ({ event, log }) => {
        log.debug('request received', { headers: event.headers, multiValueHeaders: event.multiValueHeaders });
        log.info('body received', { body: JSON.parse(event.body ?? '{}') as unknown });
        throw new Error('boom');
      });
      const { token } = await issueTestAccessToken(runtime);
      // One credential per request (two are refused), so the other secret header rides along unused.
      const credentialHeaders =
        credential === 'an API key'
          ? { 'X-Api-Key': TEST_API_KEY, 'Proxy-Authorization': secrets.authorization }
          : { Authorization: `Bearer ${token}`, 'X-Amz-Security-Token': secrets.token };
      const response = await handler(
        apiGatewayEvent({
          method: 'POST',
          headers: { ...credentialHeaders, Cookie: secrets.cookie, 'X-Request-Id': 'chain-log-1' },
          body: JSON.stringify({ username: 'alice', password: secrets.password }),
        }),
        lambdaContext(),
      );
      expect(response.statusCode).toBe(500);
      const text = runtime.logs.text();
      expectNoSecret(text);
      expect(text).not.toContain(TEST_API_KEY);
      expect(text).not.toContain(TEST_API_KEY.split(':')[1]);
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[2]);
      const entries = runtime.logs.entries();
      expect(entries.map((entry) => entry.message)).toEqual([
        'request received',
        'body received',
        'request failed',
      ]);
      for (const entry of entries) expect(entry.request_id).toBe('chain-log-1');
    },
  );

  it('writes no credential when authentication fails, and logs only the reason', async () => {
    const runtime = testRuntime({ LOG_LEVEL: 'debug' });
    const handler = await chainOf(runtime, { auth: 'required' }, async () => {
      throw new Error('the route must not run');
    });
    const { token } = await issueTestAccessToken(runtime);
    const wrongKey = `${TEST_API_KEY.slice(0, -4)}S3cr`;
    for (const headers of [
      { 'X-Api-Key': wrongKey, 'X-Request-Id': 'auth-fail-1' },
      { Authorization: `Bearer ${token}`, 'X-Api-Key': TEST_API_KEY, 'X-Request-Id': 'auth-fail-2' },
      { Authorization: secrets.authorization, 'X-Request-Id': 'auth-fail-3' },
    ]) {
      const response = await handler(apiGatewayEvent({ method: 'POST', headers }), lambdaContext());
      expect(response.statusCode).toBe(401);
    }
    const text = runtime.logs.text();
    expectNoSecret(text);
    expect(text).not.toContain(wrongKey.split(':')[1]);
    expect(text).not.toContain(TEST_API_KEY.split(':')[1]);
    expect(text).not.toContain(token.split('.')[2]);
    expect(
      runtime.logs
        .entries()
        .filter((entry) => entry.message === 'authentication failed')
        .map((entry) => [entry.request_id, entry.reason]),
    ).toEqual([
      ['auth-fail-1', 'mismatch'],
      ['auth-fail-2', 'two_credentials'],
      ['auth-fail-3', 'malformed'],
    ]);
  });
});

describe('the field-name layer', () => {
  it.each([
    'accessKey',
    'access_key',
    'access-key',
    'SigningKey',
    'session_key',
    'ENCRYPTION-KEY',
    'masterKey',
    'client_key',
    'shared-key',
    'hmac_key',
    'authKey',
    'pepper',
    'Private-Key',
  ])('treats the key name %s as sensitive, with or without a separator, in any casing', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
    expect(createRedactor().isSensitiveKey(key)).toBe(true);
  });

  it.each(['key', 'keyId', 'monkey', 'access', 'session', 'access key', 'partner'])(
    'leaves the name %s alone',
    (key) => {
      expect(isSensitiveKey(key)).toBe(false);
    },
  );

  it('redacts the configured API-key header by name in any casing, and only with that configuration', () => {
    const configured = createRedactor({ apiKeyHeader: 'X-Partner-Id' });
    expect(configured.isSensitiveKey('x-partner-id')).toBe(true);
    expect(configured.isSensitiveKey('X-PARTNER-ID')).toBe(true);
    expect(configured.isSensitiveKey('x-partner')).toBe(false);
    expect(configured.replacer('x-partner-id', 'plain-value')).toBe(REDACTED);
    expect(createRedactor().isSensitiveKey('x-partner-id')).toBe(false);
    expect(createRedactor().isSensitiveKey('x-api-key')).toBe(true);
  });

  it('never replaces the root value, which is no field, even when the header name is empty', () => {
    const root = { note: 'kept' };
    expect(createRedactor({ apiKeyHeader: '' }).replacer('', root)).toBe(root);
  });
});

describe('the pattern layer', () => {
  it('keeps an API key id and a refresh token family, and replaces their secrets whole', () => {
    expect(redactText('key bwk_abc123:s3cr-et_X done')).toBe(`key bwk_abc123:${REDACTED} done`);
    // However long a malformed id a client sent (found by an outside test: past 64 characters it passed).
    const longId = `bwk_${'a'.repeat(80)}`;
    expect(redactText(`key ${longId}:s3cret done`)).toBe(`key ${longId}:${REDACTED} done`);
    const longFamily = `brt_${'f'.repeat(80)}`;
    expect(redactText(`token ${longFamily}.s3cret done`)).toBe(`token ${longFamily}.${REDACTED} done`);
    expect(redactText('token brt_fam-ily_1.sec-ret_2 replayed')).toBe(
      `token brt_fam-ily_1.${REDACTED} replayed`,
    );
  });

  it('replaces a JWT whole with its marker, at the start of the text, after a space or glued to its segment', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnLW5hdHVyZS12YWx1ZQ';
    expect(redactText(jwt)).toBe('[REDACTED:jwt]');
    expect(redactText(`auth ${jwt} rest`)).toBe('auth [REDACTED:jwt] rest');
    expect(redactText(`id=idx${jwt};`)).toBe('id=idx[REDACTED:jwt];');
    expect(redactText('release v1.2.3 of app.config.json')).toBe('release v1.2.3 of app.config.json');
  });

  it('replaces a JWT whose header JSON starts with whitespace (eyA…, ew…), but not a host that looks like one', () => {
    const encode = (text: string) => Buffer.from(text).toString('base64url');
    const spaced = `${encode('{ "alg": "HS256" }')}.${encode('{"sub":"x"}')}.U0lHTkFUVVJF`;
    const newline = `${encode('{\n  "alg": "HS256"\n}')}.${encode('{"sub":"x"}')}.U0lHTkFUVVJF`;
    expect(spaced.startsWith('eyA')).toBe(true);
    expect(newline.startsWith('ew')).toBe(true);
    expect(redactText(`auth ${spaced} rest`)).toBe('auth [REDACTED:jwt] rest');
    expect(redactText(`auth ${newline} rest`)).toBe('auth [REDACTED:jwt] rest');
    expect(redactText('see eye.example.com and ewok.corp.example')).toBe(
      'see eye.example.com and ewok.corp.example',
    );
    // A JSON object without `alg` is no JWS header; JSON that is no object neither.
    const noAlg = `${encode('{ "typ": "JWT" }')}.${encode('{"sub":"x"}')}.U0lH`;
    expect(redactText(`auth ${noAlg} rest`)).toBe(`auth ${noAlg} rest`);
  });

  it('replaces Bearer credentials in any case with any spacing, padding included', () => {
    expect(redactText('Authorization: Bearer abc.DEF-ghi~+/== end')).toBe(
      `Authorization: Bearer ${REDACTED} end`,
    );
    expect(redactText('bearer\t\ttok3n_value')).toBe(`bearer\t\t${REDACTED}`);
    expect(redactText('BEARER x')).toBe(`BEARER ${REDACTED}`);
  });

  it('replaces Basic credentials that decode to user:password, padded or not, and keeps other base64', () => {
    const unpadded = Buffer.from('user:pass').toString('base64');
    const padded = Buffer.from('user:pw').toString('base64');
    expect(padded.endsWith('==')).toBe(true);
    expect(redactText(`Authorization: Basic ${unpadded};`)).toBe(`Authorization: Basic ${REDACTED};`);
    expect(redactText(`basic  ${padded} end`)).toBe(`basic  ${REDACTED} end`);
    const noColon = `Basic ${Buffer.from('hello').toString('base64')}`;
    expect(redactText(noColon)).toBe(noColon);
  });

  it.each(['AKIA', 'ASIA', 'ABIA', 'ACCA'])('replaces an AWS access key id starting %s whole', (prefix) => {
    expect(redactText(`id ${prefix}IOSFODNN7EXAMPLE.`)).toBe('id [REDACTED:aws-access-key-id].');
  });

  it('replaces an e-mail address whole: at the start, after a space, with dotted local parts and domains', () => {
    expect(redactText('alice@example.com')).toBe('[REDACTED:email]');
    expect(redactText('to first.last+tag@mail.example.co.uk, cc')).toBe('to [REDACTED:email], cc');
    expect(redactText('from bob-1@my-host.io.')).toBe('from [REDACTED:email].');
    expect(redactText('user@localhost and a@b.c')).toBe('user@localhost and a@b.c');
  });

  it('replaces every match of an extra pattern, whether or not it has the global flag, keeping its flags', () => {
    const { redactText: withExtras } = createRedactor({
      extraPatterns: [/order-\d{3}/i, /acme_[0-9a-f]+/g],
    });
    expect(withExtras('ORDER-123 and order-456, acme_12ab acme_ff')).toBe(
      `${REDACTED} and ${REDACTED}, ${REDACTED} ${REDACTED}`,
    );
  });
});

describe('IP addresses in text', () => {
  it('truncates an IPv4 address to its /24 by default, wherever it stands', () => {
    expect(redactText('1.2.3.4')).toBe('1.2.3.0/24');
    expect(redactText('from 192.168.10.77 port 443')).toBe('from 192.168.10.0/24 port 443');
    expect(redactText('peer=10.0.0.1,')).toBe('peer=10.0.0.0/24,');
  });

  it.each([
    '256.1.1.1',
    '1.2.3.300',
    '1.999.3.4',
    '01.2.3.4',
    '1.2.03.4',
    '10.20.30.1234',
    '1.2.3.4.5',
    '11.2.3',
  ])('leaves %s alone: not an IPv4 address', (text) => {
    expect(redactText(`value ${text} seen`)).toBe(`value ${text} seen`);
  });

  it('truncates an IPv6 address right after a colon, as after a space (found by an outside test)', () => {
    expect(redactText('client ip:2001:db8:85a3::8a2e:370:7334')).toBe('client ip:2001:db8:85a3:0::/64');
    expect(redactText('peer=[x]:2001:db8::1 end')).toBe('peer=[x]:2001:db8:0:0::/64 end');
    // A double colon is the address's own (`::1` is an address), not a separator before it.
    expect(redactText('host ::ffff:0:1 seen')).toBe('host 0:0:0:0::/64 seen');
    // Only a separating colon is dropped: an invalid run is never cut into a valid one.
    expect(redactText('seen 1::2:3:4:5:6:7:8 end')).toBe('seen 1::2:3:4:5:6:7:8 end');
  });

  it('truncates an IPv6 address to exactly its /64, compressed forms, leading zeros and case included', () => {
    expect(redactText('from 2001:db8::1 to')).toBe('from 2001:db8:0:0::/64 to');
    expect(redactText('1::2:3:4:5:6:7')).toBe('1:0:2:3::/64');
    expect(redactText('::a:b')).toBe('0:0:0:0::/64');
    expect(redactText('1:2::')).toBe('1:2:0:0::/64');
    expect(redactText('2001:0db8:0000:00a0:0001:0002:0003:0004')).toBe('2001:db8:0:a0::/64');
    expect(redactText('2001:DB8:AB::1')).toBe('2001:db8:ab:0::/64');
    // `::` may stand for a single group, which makes eight colons.
    expect(redactText('1:2:3:4:5:6:7:: and ::a:b:c:d:e:f:1')).toBe('1:2:3:4::/64 and 0:a:b:c::/64');
    expect(redactText('64:ff9b::192.0.2.33 and 1:2:3:4:5:6:1.2.3.4')).toBe(
      '64:ff9b:0:0::/64 and 1:2:3:4::/64',
    );
  });

  it.each(['::1', '::', 'fe80::', '1:2:3:4:5:6:7:8:9', 'abcde::1', '12:00:00', 'std::map'])(
    'leaves %s alone: not an IPv6 address worth truncating',
    (text) => {
      expect(redactText(`value ${text} seen`)).toBe(`value ${text} seen`);
    },
  );

  it('truncates a network (CIDR) to at most its /24 or /64, keeping a wider prefix as it is', () => {
    expect(redactText('allow 10.1.2.3/32 and 10.0.0.0/8')).toBe('allow 10.1.2.0/24 and 10.0.0.0/8');
    expect(redactText('net 2001:db8::1/128 and 2001:db8::/32')).toBe(
      'net 2001:db8:0:0::/64 and 2001:db8:0:0::/32',
    );
    expect(createRedactor({ ipAddresses: 'remove' }).redactText('allow 10.1.2.3/32')).toBe(
      'allow [REDACTED:ip]',
    );
  });

  it('keeps a slash number longer than the address as text after the truncated address', () => {
    expect(redactText('path 10.1.2.3/99 and 2001:db8::1/200')).toBe(
      'path 10.1.2.0/24/99 and 2001:db8:0:0::/64/200',
    );
  });

  it('gives the same text when redacting what it already redacted (a line logged twice, a digest of logs)', () => {
    const samples = [
      'from 192.168.10.77 port 443',
      'net 1.2.3.0/24 and 10.0.0.0/8',
      'from 2001:db8::1 to',
      '1:2:3:4:5:6:7:: and ::a:b:c:d:e:f:1',
      '64:ff9b::192.0.2.33',
    ];
    for (const text of samples) expect(redactText(redactText(text)), text).toBe(redactText(text));
  });

  it('replaces addresses with the ip marker under `remove` and leaves any text unchanged under `keep`', () => {
    const remove = createRedactor({ ipAddresses: 'remove' });
    expect(remove.redactText('client 192.168.10.77 via 2001:db8::1 seen')).toBe(
      'client [REDACTED:ip] via [REDACTED:ip] seen',
    );
    expect(remove.redactText('256.1.1.1 and ::1')).toBe('256.1.1.1 and ::1');
    const text = 'client 192.168.10.77 via 2001:db8::1, user undefined';
    expect(createRedactor({ ipAddresses: 'keep' }).redactText(text)).toBe(text);
  });
});

describe('redactValue', () => {
  it('keeps primitives, null and undefined as they are, at any position', () => {
    const { redactValue } = createRedactor();
    expect(
      redactValue({ n: 1, b: false, z: null, u: undefined, list: [null, 2, true, 'alice@example.com'] }),
    ).toStrictEqual({ n: 1, b: false, z: null, u: undefined, list: [null, 2, true, '[REDACTED:email]'] });
    expect(redactValue(5)).toBe(5);
    expect(redactValue(null)).toBeNull();
    expect(redactValue('alice@example.com')).toBe('[REDACTED:email]');
  });

  it('keeps an absent credential absent, and replaces any other value under a credential name', () => {
    const { redactValue } = createRedactor();
    expect(redactValue({ password: null, token: undefined, secret: 0, cookie: { a: 1 } })).toStrictEqual({
      password: null,
      token: undefined,
      secret: REDACTED,
      cookie: REDACTED,
    });
  });

  it('cuts arrays and objects nested deeper than maxDepth, but not the primitives at the limit', () => {
    const { redactValue } = createRedactor();
    expect(TRUNCATED).toBe('[TRUNCATED]');
    expect(redactValue([[['x']]], 2)).toEqual([[TRUNCATED]]);
    expect(redactValue({ a: { b: { c: 'deep' } } }, 2)).toEqual({ a: { b: TRUNCATED } });
    expect(redactValue({ a: [1, 'x'] }, 2)).toEqual({ a: [1, 'x'] });
  });
});
