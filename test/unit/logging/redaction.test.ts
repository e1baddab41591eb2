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
let REDACTED: RedactModule['REDACTED'];
beforeEach(async () => {
  ({ isSensitiveKey, redactSensitive, REDACTED } = await importFresh<RedactModule>(
    new URL('../../../shared/logging/redact-sensitive.js', import.meta.url),
  ));
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
