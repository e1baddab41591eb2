import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { importFresh } from '../../support/import-fresh.js';

type HashModule = typeof import('../../../shared/domain/api-keys/api-key-secret-hash.js');
// Loaded afresh for each test, so the exported functions themselves are mutation-tested too.
let hashApiKeySecret: HashModule['hashApiKeySecret'];
let secretHashMatches: HashModule['secretHashMatches'];
beforeEach(async () => {
  ({ hashApiKeySecret, secretHashMatches } = await importFresh<HashModule>(
    new URL('../../../shared/domain/api-keys/api-key-secret-hash.js', import.meta.url),
  ));
});

const pepper = 'unit-pepper-0123456789-abcdefghijklmnop';
const secret = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';

describe('hashApiKeySecret', () => {
  it('is HMAC-SHA-256 keyed by the pepper, as 43 base64url characters', () => {
    const hash = hashApiKeySecret(pepper, secret);
    expect(hash).toBe(createHmac('sha256', pepper).update(secret).digest('base64url'));
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(hashApiKeySecret(pepper, secret));
    expect(hash).not.toContain(secret);
  });

  it('differs when the pepper differs, so a table copy without the pepper cannot check a guess', () => {
    expect(hashApiKeySecret(pepper, secret)).not.toBe(hashApiKeySecret(`${pepper}x`, secret));
    expect(hashApiKeySecret(pepper, secret)).not.toBe(hashApiKeySecret(pepper.toUpperCase(), secret));
  });

  it('differs when the secret differs by one character', () => {
    expect(hashApiKeySecret(pepper, secret)).not.toBe(hashApiKeySecret(pepper, `${secret.slice(0, -1)}f`));
  });
});

describe('secretHashMatches', () => {
  it('is true only for the identical digest', () => {
    const hash = hashApiKeySecret(pepper, secret);
    expect(secretHashMatches(hash, hash)).toBe(true);
    expect(secretHashMatches(hash, hashApiKeySecret(pepper, 'other'))).toBe(false);
  });

  it('is false, not an exception, for a stored digest of another length', () => {
    const hash = hashApiKeySecret(pepper, secret);
    expect(secretHashMatches(hash, hash.slice(1))).toBe(false);
    expect(secretHashMatches(hash, '')).toBe(false);
    expect(secretHashMatches(hash, `${hash}A`)).toBe(false);
  });
});
