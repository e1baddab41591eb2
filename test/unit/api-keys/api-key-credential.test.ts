/**
 * The API-key credential: the published pattern, parsing that checks the length before the pattern,
 * and generation from a random source. The module is loaded afresh for each test, so its constants
 * (prefix, lengths, patterns, alphabet) are mutation-tested too (test/support/import-fresh.ts).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { importFresh } from '../../support/import-fresh.js';

type CredentialModule = typeof import('../../../shared/domain/api-keys/api-key-credential.js');
let credentials: CredentialModule;
let API_KEY_CREDENTIAL_LENGTH: CredentialModule['API_KEY_CREDENTIAL_LENGTH'];
let formatApiKeyCredential: CredentialModule['formatApiKeyCredential'];
let generateApiKeyId: CredentialModule['generateApiKeyId'];
let generateApiKeySecret: CredentialModule['generateApiKeySecret'];
let parseApiKeyCredential: CredentialModule['parseApiKeyCredential'];
beforeEach(async () => {
  credentials = await importFresh<CredentialModule>(
    new URL('../../../shared/domain/api-keys/api-key-credential.js', import.meta.url),
  );
  ({
    API_KEY_CREDENTIAL_LENGTH,
    formatApiKeyCredential,
    generateApiKeyId,
    generateApiKeySecret,
    parseApiKeyCredential,
  } = credentials);
});

const keyId = 'bwk_abcdefghijklmnopqrst';
const secret = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';
const valid = `${keyId}:${secret}`;

describe('parseApiKeyCredential', () => {
  it('splits a well-formed credential into key id and secret', () => {
    expect(valid).toHaveLength(API_KEY_CREDENTIAL_LENGTH);
    expect(parseApiKeyCredential(valid)).toEqual({ keyId, secret });
  });

  it('accepts every base32 digit in the id and every base64url character in the secret', () => {
    expect(parseApiKeyCredential(`bwk_234567zyxwvutsrqponm:${'-_09AZaz'.repeat(5)}abc`)).toBeDefined();
  });

  it.each([
    ['an empty string', ''],
    ['the key id alone', keyId],
    ['the secret alone', secret],
    ['a missing colon', `${keyId}${secret}`],
    ['a missing colon, padded to length', `${keyId}x${secret}`],
    ['two colons', `${keyId}::${secret.slice(1)}`],
    ['a wrong prefix', `bwx_${valid.slice(4)}`],
    ['an uppercase prefix', `BWK_${valid.slice(4)}`],
    ['no prefix', `abcd${valid.slice(4)}`],
    ['an uppercase id', `bwk_ABCDEFGHIJKLMNOPQRST:${secret}`],
    ['a 1 (not base32) in the id', `bwk_abcdefghijklmnopqrs1:${secret}`],
    ['a 0 (not base32) in the id', `bwk_0bcdefghijklmnopqrst:${secret}`],
    ['an 8 (not base32) in the id', `bwk_abcdefghi8klmnopqrst:${secret}`],
    ['an id one character short', `bwk_abcdefghijklmnopqrs:${secret}a`],
    ['an id one character long', `bwk_abcdefghijklmnopqrstu:${secret.slice(1)}`],
    ['a secret one character short', `${keyId}:${secret.slice(1)}`],
    ['a secret one character long', `${valid}A`],
    ['base64 padding', `${keyId}:${secret.slice(1)}=`],
    ['standard base64 "+"', `${keyId}:+${secret.slice(1)}`],
    ['standard base64 "/"', `${keyId}:/${secret.slice(1)}`],
    ['a leading space', ` ${valid}`],
    ['a trailing space', `${valid} `],
    ['a trailing newline', `${valid}\n`],
    ['a tab inside', `${keyId}:\t${secret.slice(1)}`],
    ['a Bearer scheme', `Bearer ${valid}`],
    ['a non-ASCII letter', `${keyId}:é${secret.slice(1)}`],
    ['a NUL byte', `${keyId}:\u0000${secret.slice(1)}`],
    ['a very long value', `${valid}${'a'.repeat(100_000)}`],
    ['the credential twice', `${valid}${valid}`],
  ])('rejects %s', (_label, value) => {
    expect(parseApiKeyCredential(value)).toBeUndefined();
  });

  it('checks the length before the pattern, so a value of any other length costs one comparison', () => {
    const exec = vi.spyOn(credentials.API_KEY_CREDENTIAL_PATTERN, 'exec');
    for (const value of ['', keyId, `${valid}A`, `${valid}${'a'.repeat(100_000)}`]) {
      expect(parseApiKeyCredential(value)).toBeUndefined();
    }
    expect(exec).not.toHaveBeenCalled();
    expect(parseApiKeyCredential(valid)).toEqual({ keyId, secret });
    expect(exec).toHaveBeenCalledTimes(1);
  });

  it('counts 68 characters: bwk_, 20 id characters, a colon and a 43-character secret', () => {
    expect(API_KEY_CREDENTIAL_LENGTH).toBe(68);
  });

  it('rejects non-string values passed around the type system', () => {
    for (const value of [undefined, null, 42, { toString: () => valid }, [valid]]) {
      expect(parseApiKeyCredential(value as unknown as string)).toBeUndefined();
    }
  });
});

describe('generated credentials', () => {
  it('have a bwk_ id of 20 base32 characters and a 43-character base64url secret from 32 random bytes', () => {
    const id = generateApiKeyId();
    const generated = generateApiKeySecret();
    expect(id).toMatch(/^bwk_[a-z2-7]{20}$/);
    expect(generated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(generated, 'base64url')).toHaveLength(32);
    expect(parseApiKeyCredential(formatApiKeyCredential({ keyId: id, secret: generated }))).toEqual({
      keyId: id,
      secret: generated,
    });
  });

  it('draw 20 bytes for the id (5 bits each: 100 bits) and 32 bytes (256 bits) for the secret', () => {
    const sizes: number[] = [];
    const random = (size: number): Buffer => {
      sizes.push(size);
      return Buffer.alloc(size, 0xff);
    };
    expect(generateApiKeyId(random)).toBe(`bwk_${'7'.repeat(20)}`);
    expect(generateApiKeySecret(random)).toBe(Buffer.alloc(32, 0xff).toString('base64url'));
    expect(sizes).toEqual([20, 32]);
  });

  it('map each byte to base32 by its low five bits, so every character is equally likely', () => {
    const bytes = Buffer.from(Array.from({ length: 20 }, (_, index) => index * 32 + 7 * index));
    const id = generateApiKeyId(() => bytes);
    expect(id).toBe(
      `bwk_${[...bytes].map((byte) => 'abcdefghijklmnopqrstuvwxyz234567'[byte & 31]).join('')}`,
    );
  });

  it('refuse a random source that returns the wrong number of bytes', () => {
    expect(() => generateApiKeyId(() => Buffer.alloc(19))).toThrow(TypeError);
    expect(() => generateApiKeySecret(() => Buffer.alloc(16))).toThrow(TypeError);
    expect(() => generateApiKeyId(() => Buffer.alloc(21))).toThrow('random() returned the wrong size');
    expect(() => generateApiKeySecret(() => Buffer.alloc(33))).toThrow('random() returned the wrong size');
  });

  it('do not repeat across 10,000 draws', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => generateApiKeyId()));
    const secrets = new Set(Array.from({ length: 10_000 }, () => generateApiKeySecret()));
    expect(ids.size).toBe(10_000);
    expect(secrets.size).toBe(10_000);
  });
});

describe('API_KEY_ID_PATTERN', () => {
  it('matches exactly bwk_ and 20 base32 characters', () => {
    const pattern = credentials.API_KEY_ID_PATTERN;
    expect(pattern.test(keyId)).toBe(true);
    expect(pattern.test('bwk_234567zyxwvutsrqponm')).toBe(true);
    for (const id of [
      `x${keyId}`,
      `${keyId}x`,
      'bwk_a',
      'bwk_abcdefghijklmnopqrs',
      `bwk_${'1'.repeat(20)}`,
      'BWK_ABCDEFGHIJKLMNOPQRST',
      `${keyId}\n`,
    ]) {
      expect(pattern.test(id), id).toBe(false);
    }
  });
});
