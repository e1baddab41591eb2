/**
 * The secret adapters and what is built on them: Secrets Manager translation (aws-sdk-client-mock),
 * the TTL cache with stale-on-failure, the production strength check and the API key comparison.
 */
import { randomBytes } from 'node:crypto';
import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cachedSecretStore,
  RETRY_AFTER_FAILURE_MS,
} from '../../../shared/adapters/secrets/cached-secret-store.js';
import { parseSecretJson } from '../../../shared/adapters/secrets/parse-secret-json.js';
import { secretsManagerSecretStore } from '../../../shared/adapters/secrets/secrets-manager-secret-store.js';
import { assertStrongSecret, DEVELOPMENT_SECRET_PREFIX } from '../../../shared/auth/assert-strong-secret.js';
import type { SecretStore } from '../../../shared/domain/secret-store.js';
import { ConfigurationError } from '../../../shared/errors/configuration-error.js';
import { DependencyUnavailableError } from '../../../shared/errors/request-errors.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { inMemorySecretStore, manualClock, TEST_PEPPER } from '../../support/test-runtime.js';

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/api-key-AbCdEf';

const errorText = (error: unknown): string =>
  error instanceof Error
    ? `${error.message}\n${String(error.stack)}\n${JSON.stringify(error)}`
    : String(error);

describe('secretsManagerSecretStore', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  let client: SecretsManagerClient;

  beforeEach(() => {
    secretsManager.reset();
    client = new SecretsManagerClient({ region: 'eu-west-1' });
  });

  afterEach(() => {
    client.destroy();
  });

  it('reads the secret with exactly { SecretId } (AWSCURRENT) and returns its JSON', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: 'k-1' }) });
    const secret = await secretsManagerSecretStore(client).getSecretJson(secretArn);
    expect(secret).toEqual({ apiKey: 'k-1' });
    const calls = secretsManager.commandCalls(GetSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toStrictEqual({ SecretId: secretArn });
  });

  it('turns an SDK failure into DependencyUnavailableError (service-unavailable) with the cause kept', async () => {
    const sdkError = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    secretsManager.on(GetSecretValueCommand).rejects(sdkError);
    const error = await rejectionOf(secretsManagerSecretStore(client).getSecretJson(secretArn));
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ code: 'service-unavailable', headers: { 'Retry-After': '1' } });
    expect((error as Error).cause).toEqual({ dependency: 'secrets-manager', error: sdkError });
  });

  it.each([
    ['text that is not JSON', 'hunter2-plain-text-secret'],
    ['a JSON string', '"hunter2-json-string-secret"'],
    ['a JSON array', '["hunter2-array-secret"]'],
    ['JSON null', 'null'],
  ])('refuses %s with a ConfigurationError that does not contain the secret', async (_, secretString) => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secretString });
    const error = await rejectionOf(secretsManagerSecretStore(client).getSecretJson(secretArn));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({
      variable: secretArn,
      message: `${secretArn}: secret value is not a JSON object`,
    });
    expect(errorText(error)).not.toContain('hunter2');
  });

  it('refuses a binary-only secret (no SecretString) as not a JSON object', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    expect(await rejectionOf(secretsManagerSecretStore(client).getSecretJson(secretArn))).toBeInstanceOf(
      ConfigurationError,
    );
  });
});

describe('secretsManagerSecretStore with batch', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  let client: SecretsManagerClient;
  const pepperArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/pepper-AbCdEf';
  const keysArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/keys-GhIjKl';
  const entry = (arn: string, value: object) => ({
    ARN: arn,
    Name: arn.split(':').at(-1)?.slice(0, -7),
    SecretString: JSON.stringify(value),
  });

  beforeEach(() => {
    secretsManager.reset();
    client = new SecretsManagerClient({ region: 'eu-west-1' });
  });

  afterEach(() => {
    client.destroy();
  });

  it('reads the secrets asked for together in one BatchGetSecretValue with exactly { SecretIdList }', async () => {
    secretsManager.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [entry(keysArn, { keys: [] }), entry(pepperArn, { pepper: 'p' })],
    });
    const store = secretsManagerSecretStore(client, { batch: true });
    const [pepper, keys] = await Promise.all([store.getSecretJson(pepperArn), store.getSecretJson(keysArn)]);
    expect([pepper, keys]).toEqual([{ pepper: 'p' }, { keys: [] }]);
    const calls = secretsManager.commandCalls(BatchGetSecretValueCommand);
    expect(calls.map((call) => call.args[0].input)).toStrictEqual([{ SecretIdList: [pepperArn, keysArn] }]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('gathers reads asked for after awaits within the same turn, and asks once for a secret asked twice', async () => {
    secretsManager.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [entry(pepperArn, { pepper: 'p' }), entry(keysArn, { keys: [] })],
    });
    const store = secretsManagerSecretStore(client, { batch: true });
    const later = async () => {
      await Promise.resolve();
      await Promise.resolve();
      return store.getSecretJson(keysArn);
    };
    const values = await Promise.all([
      store.getSecretJson(pepperArn),
      later(),
      store.getSecretJson(pepperArn),
    ]);
    expect(values).toEqual([{ pepper: 'p' }, { keys: [] }, { pepper: 'p' }]);
    expect(secretsManager.commandCalls(BatchGetSecretValueCommand).map((c) => c.args[0].input)).toStrictEqual(
      [{ SecretIdList: [pepperArn, keysArn] }],
    );
  });

  it('reads a lone secret with GetSecretValue, as without batching', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ pepper: 'p' }) });
    const store = secretsManagerSecretStore(client, { batch: true });
    expect(await store.getSecretJson(pepperArn)).toEqual({ pepper: 'p' });
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toStrictEqual([
      { SecretId: pepperArn },
    ]);
    expect(secretsManager.commandCalls(BatchGetSecretValueCommand)).toHaveLength(0);
  });

  it('matches answers by ARN, by name and by partial ARN (without the six random characters)', async () => {
    const partial = pepperArn.slice(0, -7);
    secretsManager.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [entry(pepperArn, { pepper: 'p' }), entry(keysArn, { keys: [] })],
    });
    const store = secretsManagerSecretStore(client, { batch: true });
    const values = await Promise.all([store.getSecretJson(partial), store.getSecretJson('bulwark/keys')]);
    expect(values).toEqual([{ pepper: 'p' }, { keys: [] }]);
  });

  it('does not take a longer secret name for a partial ARN', async () => {
    const partial = pepperArn.slice(0, -7);
    secretsManager.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [entry(`${partial}-old-AbCdEf`, { pepper: 'old' }), entry(keysArn, { keys: [] })],
    });
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ pepper: 'p' }) });
    const store = secretsManagerSecretStore(client, { batch: true });
    const [pepper] = await Promise.all([store.getSecretJson(partial), store.getSecretJson(keysArn)]);
    // Not matched: asked on its own.
    expect(pepper).toEqual({ pepper: 'p' });
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toStrictEqual([
      { SecretId: partial },
    ]);
  });

  it('fails only the secret the batch names in Errors, as a 503-class error with its code, never a value', async () => {
    secretsManager.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [entry(keysArn, { keys: [] })],
      Errors: [{ SecretId: pepperArn, ErrorCode: 'DecryptionFailure', Message: 'no access to the key' }],
    });
    const store = secretsManagerSecretStore(client, { batch: true });
    const [pepper, keys] = await Promise.allSettled([
      store.getSecretJson(pepperArn),
      store.getSecretJson(keysArn),
    ]);
    expect(keys).toEqual({ status: 'fulfilled', value: { keys: [] } });
    const error = pepper.status === 'rejected' ? pepper.reason : undefined;
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as Error).cause).toEqual({
      dependency: 'secrets-manager',
      error: { name: 'DecryptionFailure', message: 'no access to the key' },
    });
  });

  it('fails every waiting read when the batch request itself fails (throttled, or not allowed)', async () => {
    const sdkError = Object.assign(new Error('not authorized to perform BatchGetSecretValue'), {
      name: 'AccessDeniedException',
    });
    secretsManager.on(BatchGetSecretValueCommand).rejects(sdkError);
    const store = secretsManagerSecretStore(client, { batch: true });
    const results = await Promise.allSettled([store.getSecretJson(pepperArn), store.getSecretJson(keysArn)]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = result.status === 'rejected' ? result.reason : undefined;
      expect(reason).toBeInstanceOf(DependencyUnavailableError);
      expect((reason as Error).cause).toEqual({ dependency: 'secrets-manager', error: sdkError });
    }
  });

  it('refuses a batched secret that is not a JSON object, as a single read does', async () => {
    secretsManager.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [{ ARN: pepperArn, SecretString: 'hunter2' }, entry(keysArn, { keys: [] })],
    });
    const store = secretsManagerSecretStore(client, { batch: true });
    const [pepper] = await Promise.allSettled([store.getSecretJson(pepperArn), store.getSecretJson(keysArn)]);
    const error = pepper.status === 'rejected' ? pepper.reason : undefined;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(errorText(error)).not.toContain('hunter2');
  });

  it('splits more than 20 reads into requests of at most 20 ids', async () => {
    const ids = Array.from({ length: 23 }, (_, index) => `bulwark/secret-${index}`);
    secretsManager.on(BatchGetSecretValueCommand).callsFake((input: { SecretIdList: string[] }) => ({
      SecretValues: input.SecretIdList.map((id) => ({
        ARN: `${id}-AbCdEf`,
        Name: id,
        SecretString: '{"n":1}',
      })),
    }));
    const store = secretsManagerSecretStore(client, { batch: true });
    await Promise.all(ids.map((id) => store.getSecretJson(id)));
    const sizes = secretsManager
      .commandCalls(BatchGetSecretValueCommand)
      .map((c) => c.args[0].input.SecretIdList?.length);
    expect(sizes).toEqual([20, 3]);
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toStrictEqual([]);
  });
});

describe('parseSecretJson', () => {
  it('returns a JSON object as is', () => {
    expect(parseSecretJson('id', '{"apiKey":"k","nested":{"a":1}}')).toEqual({
      apiKey: 'k',
      nested: { a: 1 },
    });
  });

  it('does not echo the secret from the JSON parser message', () => {
    let caught: unknown;
    try {
      parseSecretJson('id', '{"apiKey": hunter2-unquoted}');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect(errorText(caught)).not.toContain('hunter2');
    expect((caught as Error).cause).toBeUndefined();
  });
});

/** A store whose answers the test controls one fetch at a time. */
const scriptedStore = () => {
  const calls: string[] = [];
  const answers: (() => Promise<Readonly<Record<string, unknown>>>)[] = [];
  const store: SecretStore = {
    getSecretJson: (secretId) => {
      calls.push(secretId);
      const next = answers.shift();
      if (next === undefined) return Promise.reject(new Error('no scripted answer'));
      return next();
    },
  };
  return {
    store,
    calls,
    answer: (value: Record<string, unknown>) => answers.push(async () => value),
    fail: (error: Error) => answers.push(async () => Promise.reject(error)),
    defer: () => {
      let resolve: (value: Record<string, unknown>) => void = () => undefined;
      const pending = new Promise<Record<string, unknown>>((done) => {
        resolve = done;
      });
      answers.push(() => pending);
      return resolve;
    },
  };
};

describe('cachedSecretStore', () => {
  const ttlSeconds = 300;

  it('fetches once and serves from memory until the TTL has passed', async () => {
    const inner = scriptedStore();
    const clock = manualClock();
    const cache = cachedSecretStore(inner.store, ttlSeconds, clock);
    inner.answer({ apiKey: 'v1' });
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v1' });
    clock.advanceMs(ttlSeconds * 1000 - 1);
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v1' });
    expect(inner.calls).toEqual([secretArn]);
  });

  it('fetches past the cache on refresh and serves the fresh value from then on', async () => {
    const inner = scriptedStore();
    const clock = manualClock();
    const cache = cachedSecretStore(inner.store, ttlSeconds, clock);
    inner.answer({ apiKey: 'v1' });
    inner.answer({ apiKey: 'v2-rotated' });
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v1' });
    expect(await cache.refreshSecretJson?.(secretArn)).toEqual({ apiKey: 'v2-rotated' });
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v2-rotated' });
    expect(inner.calls).toEqual([secretArn, secretArn]);
  });

  it('refetches once the TTL has passed, picking up a rotated secret', async () => {
    const inner = scriptedStore();
    const clock = manualClock();
    const cache = cachedSecretStore(inner.store, ttlSeconds, clock);
    inner.answer({ apiKey: 'v1' });
    inner.answer({ apiKey: 'v2-rotated' });
    await cache.getSecretJson(secretArn);
    clock.advanceMs(ttlSeconds * 1000);
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v2-rotated' });
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v2-rotated' });
    expect(inner.calls).toEqual([secretArn, secretArn]);
  });

  it('keeps each secret id apart', async () => {
    const inner = inMemorySecretStore({ a: { v: 'A' }, b: { v: 'B' } });
    const cache = cachedSecretStore(inner, ttlSeconds, manualClock());
    expect(await cache.getSecretJson('a')).toEqual({ v: 'A' });
    expect(await cache.getSecretJson('b')).toEqual({ v: 'B' });
    expect(await cache.getSecretJson('a')).toEqual({ v: 'A' });
    expect(inner.requests).toEqual(['a', 'b']);
  });

  it('shares one fetch between concurrent misses', async () => {
    const inner = scriptedStore();
    const cache = cachedSecretStore(inner.store, ttlSeconds, manualClock());
    const resolve = inner.defer();
    const first = cache.getSecretJson(secretArn);
    const second = cache.getSecretJson(secretArn);
    const third = cache.getSecretJson(secretArn);
    resolve({ apiKey: 'v1' });
    expect(await Promise.all([first, second, third])).toEqual([
      { apiKey: 'v1' },
      { apiKey: 'v1' },
      { apiKey: 'v1' },
    ]);
    expect(inner.calls).toEqual([secretArn]);
  });

  it('shares one refresh between concurrent callers after expiry', async () => {
    const inner = scriptedStore();
    const clock = manualClock();
    const cache = cachedSecretStore(inner.store, ttlSeconds, clock);
    inner.answer({ apiKey: 'v1' });
    await cache.getSecretJson(secretArn);
    clock.advanceMs(ttlSeconds * 1000);
    const resolve = inner.defer();
    const both = Promise.all([cache.getSecretJson(secretArn), cache.getSecretJson(secretArn)]);
    resolve({ apiKey: 'v2' });
    expect(await both).toEqual([{ apiKey: 'v2' }, { apiKey: 'v2' }]);
    expect(inner.calls).toHaveLength(2);
  });

  it('serves the stale value when a refresh after expiry fails, and tries again only after a pause', async () => {
    const inner = scriptedStore();
    const clock = manualClock();
    const cache = cachedSecretStore(inner.store, ttlSeconds, clock);
    inner.answer({ apiKey: 'v1' });
    await cache.getSecretJson(secretArn);
    clock.advanceMs(ttlSeconds * 1000 + 1);
    inner.fail(new DependencyUnavailableError('secrets-manager', new Error('down')));
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v1' });
    // During an outage only one request per pause waits for a call that will time out.
    clock.advanceMs(RETRY_AFTER_FAILURE_MS - 1);
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v1' });
    expect(inner.calls).toHaveLength(2);
    clock.advanceMs(1);
    inner.answer({ apiKey: 'v2' });
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v2' });
    expect(inner.calls).toHaveLength(3);
  });

  it('propagates a failure when there is no earlier value, and does not cache the failure', async () => {
    const inner = scriptedStore();
    const cache = cachedSecretStore(inner.store, ttlSeconds, manualClock());
    const outage = new DependencyUnavailableError('secrets-manager', new Error('down'));
    inner.fail(outage);
    expect(await rejectionOf(cache.getSecretJson(secretArn))).toBe(outage);
    inner.answer({ apiKey: 'v1' });
    expect(await cache.getSecretJson(secretArn)).toEqual({ apiKey: 'v1' });
  });

  it('propagates the failure to every concurrent caller when there is no earlier value', async () => {
    const inner = scriptedStore();
    const cache = cachedSecretStore(inner.store, ttlSeconds, manualClock());
    inner.fail(new Error('down'));
    const results = await Promise.allSettled([
      cache.getSecretJson(secretArn),
      cache.getSecretJson(secretArn),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(inner.calls).toHaveLength(1);
  });

  it('fetches on every call with a TTL of 0', async () => {
    const inner = inMemorySecretStore({ [secretArn]: { apiKey: 'v1' } });
    const cache = cachedSecretStore(inner, 0, manualClock());
    await cache.getSecretJson(secretArn);
    await cache.getSecretJson(secretArn);
    expect(inner.requests).toHaveLength(2);
  });
});

describe('assertStrongSecret', () => {
  const refusalOf = (value: string): ConfigurationError => {
    try {
      assertStrongSecret('API_KEY_PEPPER_SECRET_ARN', value);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      return error as ConfigurationError;
    }
    throw new Error('expected assertStrongSecret to refuse the value');
  };

  it.each([
    ['a development secret from npm start', `${DEVELOPMENT_SECRET_PREFIX}${randomBytes(32).toString('hex')}`],
    ['changeme', 'changeme'],
    ['a "password-" placeholder', `password-${randomBytes(24).toString('hex')}`],
    ['a "test_" placeholder', `test_${randomBytes(24).toString('hex')}`],
    ['an "Example-" placeholder in another case', `Example-${randomBytes(24).toString('hex')}`],
    ['the unit-test pepper (prefix test-)', TEST_PEPPER],
    ['a 31-character random secret', randomBytes(24).toString('base64url').slice(0, 31)],
    ['a long secret with 9 distinct characters', 'abcdefghi'.repeat(6)],
    ['a long secret of one repeated character', 'z'.repeat(64)],
  ])('refuses %s, naming the secret and not its value', (_, value) => {
    const error = refusalOf(value);
    expect(error.variable).toBe('API_KEY_PEPPER_SECRET_ARN');
    expect(error.message).not.toContain(value);
  });

  it('accepts a 48-character random secret', () => {
    const value = randomBytes(36).toString('base64url');
    expect(value).toHaveLength(48);
    expect(() => assertStrongSecret('API_KEY_PEPPER_SECRET_ARN', value)).not.toThrow();
  });

  it('accepts a 32-character secret with 10 distinct characters', () => {
    expect(() =>
      assertStrongSecret('API_KEY_PEPPER_SECRET_ARN', 'q7Xz2Lm9Kp'.repeat(3).concat('Ab')),
    ).not.toThrow();
  });
});
