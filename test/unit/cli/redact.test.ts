import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskCredential, redactSecrets } from '../../../cli/redact.js';

const base32 = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'.split(''));
const base64url = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
);
const apiKey = fc
  .tuple(
    fc.string({ unit: base32, minLength: 20, maxLength: 20 }),
    fc.string({ unit: base64url, minLength: 43, maxLength: 43 }),
  )
  .map(([id, secret]) => ({ keyId: `bwk_${id}`, secret }));

describe('the CLI redactor', () => {
  it('leaves no API key secret in any text around it, keeping the key id and the last four characters', () => {
    fc.assert(
      fc.property(apiKey, fc.string(), fc.string(), ({ keyId, secret }, before, after) => {
        const text = redactSecrets(`${before} ${keyId}:${secret} ${after}`);
        expect(text).not.toContain(secret);
        expect(text).toContain(`${keyId}:****${secret.slice(-4)}`);
      }),
    );
  });

  it('masks refresh tokens, JWTs and Bearer values', () => {
    const refresh = `brt_${'a'.repeat(22)}.${'b'.repeat(43)}`;
    const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
    const text = redactSecrets(`${refresh} ${jwt} Authorization: Bearer abcdefghijklmnop`);
    expect(text).not.toContain(refresh);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('abcdefghijklmnop');
  });

  it('shows a credential as id and masked tail', () => {
    expect(maskCredential(`bwk_abcdefghijklmnopqrst:${'x'.repeat(39)}WXYZ`)).toBe(
      'bwk_abcdefghijklmnopqrst:****WXYZ',
    );
  });
});
