/** Key sets read from a secret store: parsed once per secret value, a failed parse tried again. */
import { describe, expect, it } from 'vitest';
import { keySetSource } from '../../../../shared/auth/tokens/key-set-source.js';
import { inMemorySecretStore } from '../../../support/test-runtime.js';

const SECRET = 'arn:test:keys';

/** A parser that counts its calls and fails while told to. */
const countingParser = () => {
  let calls = 0;
  let failing = false;
  const parse = async (secretJson: unknown, secretId: string) => {
    calls += 1;
    if (failing) throw new Error('bad secret');
    return { secretJson, secretId };
  };
  return {
    parse,
    calls: () => calls,
    fail: (value: boolean) => {
      failing = value;
    },
  };
};

describe('keySetSource', () => {
  it('parses each secret value once, however often it is read', async () => {
    const parser = countingParser();
    const store = inMemorySecretStore({ [SECRET]: { keys: [] } });
    const keys = keySetSource(parser.parse).cached(store, SECRET);
    const first = await keys();
    expect(await keys()).toBe(first);
    expect(first).toEqual({ secretJson: { keys: [] }, secretId: SECRET });
    expect(parser.calls()).toBe(1);
    expect(store.requests).toEqual([SECRET, SECRET]);
  });

  it('parses a new secret value again', async () => {
    const parser = countingParser();
    const store = inMemorySecretStore({ [SECRET]: { keys: [] } });
    const keys = keySetSource(parser.parse).cached(store, SECRET);
    await keys();
    store.put(SECRET, { keys: ['rotated'] });
    expect(await keys()).toEqual({ secretJson: { keys: ['rotated'] }, secretId: SECRET });
    expect(parser.calls()).toBe(2);
  });

  it('tries a value that failed to parse again on the next call', async () => {
    const parser = countingParser();
    const store = inMemorySecretStore({ [SECRET]: { keys: [] } });
    const keys = keySetSource(parser.parse).cached(store, SECRET);
    parser.fail(true);
    await expect(keys()).rejects.toThrow('bad secret');
    parser.fail(false);
    await expect(keys()).resolves.toEqual({ secretJson: { keys: [] }, secretId: SECRET });
    expect(parser.calls()).toBe(2);
  });

  it('reads past the cache when asked for a fresh set, and through it otherwise', async () => {
    const parser = countingParser();
    const reads: string[] = [];
    const value = { keys: [] };
    const store = {
      getSecretJson: async (id: string) => {
        reads.push(`cached ${id}`);
        return value;
      },
      refreshSecretJson: async (id: string) => {
        reads.push(`fresh ${id}`);
        return value;
      },
    };
    const source = keySetSource(parser.parse);
    expect(await source.fresh(store, SECRET)()).toEqual({ secretJson: value, secretId: SECRET });
    expect(await source.cached(store, SECRET)()).toEqual({ secretJson: value, secretId: SECRET });
    expect(reads).toEqual([`fresh ${SECRET}`, `cached ${SECRET}`]);
    expect(parser.calls()).toBe(1);
  });

  it('reads through the cache for a fresh set when the store cannot read past it', async () => {
    const parser = countingParser();
    const store = inMemorySecretStore({ [SECRET]: { keys: [] } });
    expect(await keySetSource(parser.parse).fresh(store, SECRET)()).toEqual({
      secretJson: { keys: [] },
      secretId: SECRET,
    });
  });
});
