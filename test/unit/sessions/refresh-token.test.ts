import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { importFresh } from '../../support/import-fresh.js';

type TokenModule = typeof import('../../../shared/domain/sessions/refresh-token.js');
// Loaded afresh for each test, so the token and session-id patterns (module constants) are mutation-tested.
let assertSessionId: TokenModule['assertSessionId'];
let isSessionId: TokenModule['isSessionId'];
let issueRefreshToken: TokenModule['issueRefreshToken'];
let newFamilyId: TokenModule['newFamilyId'];
let newSessionId: TokenModule['newSessionId'];
let parseRefreshToken: TokenModule['parseRefreshToken'];
let refreshTokenLength: TokenModule['refreshTokenLength'];
beforeEach(async () => {
  ({
    assertSessionId,
    isSessionId,
    issueRefreshToken,
    newFamilyId,
    newSessionId,
    parseRefreshToken,
    refreshTokenLength,
  } = await importFresh<TokenModule>(
    new URL('../../../shared/domain/sessions/refresh-token.js', import.meta.url),
  ));
});

describe('refresh token format', () => {
  it('issues brt_<16-byte family>.<32-byte secret> and stores only the SHA-256 of the secret bytes', () => {
    const familyId = newFamilyId(randomBytes);
    const { refreshToken, secretHash } = issueRefreshToken(familyId, randomBytes);
    expect(refreshToken).toHaveLength(refreshTokenLength);
    expect(refreshToken).toMatch(new RegExp(`^brt_${familyId}\\.[A-Za-z0-9_-]{43}$`));
    const secret = Buffer.from(refreshToken.split('.')[1] as string, 'base64url');
    expect(secret).toHaveLength(32);
    expect(secretHash).toBe(createHash('sha256').update(secret).digest('base64url'));
    expect(refreshToken).not.toContain(secretHash);
    expect(parseRefreshToken(refreshToken)).toEqual({ familyId, secretHash });
  });

  it('draws every secret and id from the injected random source', () => {
    const fixed = (byteLength: number) => new Uint8Array(byteLength).fill(0xab);
    expect(newFamilyId(fixed)).toBe(Buffer.alloc(16, 0xab).toString('base64url'));
    expect(newSessionId(fixed)).toBe(Buffer.alloc(16, 0xab).toString('base64url'));
    expect(issueRefreshToken('F'.repeat(22), fixed).refreshToken).toBe(
      `brt_${'F'.repeat(22)}.${Buffer.alloc(32, 0xab).toString('base64url')}`,
    );
  });

  it('refuses a random source that returns the wrong number of bytes, or no bytes at all', () => {
    expect(() => newFamilyId(() => new Uint8Array(8))).toThrow(TypeError);
    expect(() => newSessionId(() => new Uint8Array(17))).toThrow(
      'random must return a Uint8Array of 16 bytes',
    );
    expect(() => issueRefreshToken('F'.repeat(22), () => 'x'.repeat(32) as never)).toThrow(
      'random must return a Uint8Array of 32 bytes',
    );
  });

  it('is 70 characters long: brt_, a 22-character family id, a dot and a 43-character secret', () => {
    expect(refreshTokenLength).toBe(70);
  });

  it('parses a token at the family id and the dot', () => {
    const familyId = 'abcdefghijklmnopqrstuQ';
    const { refreshToken, secretHash } = issueRefreshToken(familyId, randomBytes);
    expect(parseRefreshToken(refreshToken)).toEqual({ familyId, secretHash });
  });

  it('rejects a value that is not a string, even one that turns into a valid token', () => {
    const { refreshToken } = issueRefreshToken(newFamilyId(randomBytes), randomBytes);
    expect(parseRefreshToken({ toString: () => refreshToken, length: refreshToken.length })).toBeUndefined();
  });

  it.each([
    ['a non-string', 42],
    ['an empty string', ''],
    ['another prefix', `brx_${'A'.repeat(22)}.${'A'.repeat(43)}`],
    ['no dot', `brt_${'A'.repeat(22)}${'A'.repeat(44)}`],
    ['a short secret', `brt_${'A'.repeat(22)}.${'A'.repeat(42)}`],
    ['an oversize token', `brt_${'A'.repeat(22)}.${'A'.repeat(5000)}`],
    ['standard base64 characters', `brt_${'A'.repeat(21)}+.${'A'.repeat(43)}`],
    ['padding', `brt_${'A'.repeat(22)}.${'A'.repeat(42)}=`],
    ['a non-canonical family id', `brt_${'A'.repeat(21)}B.${'A'.repeat(43)}`],
    ['a non-canonical secret', `brt_${'A'.repeat(22)}.${'A'.repeat(42)}B`],
    ['a trailing newline', `brt_${'A'.repeat(22)}.${'A'.repeat(42)}\n`],
    ['a valid token with a character before it', `Abrt_${'A'.repeat(22)}.${'A'.repeat(43)}`],
    ['a valid token with a character after it', `brt_${'A'.repeat(22)}.${'A'.repeat(43)}A`],
  ])('rejects %s', (_label, token) => {
    expect(parseRefreshToken(token)).toBeUndefined();
  });

  it('accepts only canonical 16-byte session ids', () => {
    const sessionId = newSessionId(randomBytes);
    expect(assertSessionId(sessionId)).toBe(sessionId);
    for (const bad of ['', 'short', `${sessionId}A`, `${sessionId.slice(0, 21)}B`, `${'A'.repeat(21)}/`, 7]) {
      expect(() => assertSessionId(bad)).toThrow(TypeError);
    }
    expect(() => assertSessionId('short')).toThrow(
      'sessionId must be 22 characters of canonical base64url (16 bytes)',
    );
  });

  it('tells a session id from anything else without throwing', () => {
    const sessionId = newSessionId(randomBytes);
    expect(isSessionId(sessionId)).toBe(true);
    expect(isSessionId('A'.repeat(22))).toBe(true);
    for (const other of [
      undefined,
      null,
      7,
      'x'.repeat(22),
      'A'.repeat(21),
      // Canonical base64url of 17 and 18 bytes: the right alphabet, the wrong length.
      'A'.repeat(23),
      'A'.repeat(24),
      `${sessionId.slice(0, 21)}+`,
      `+${sessionId.slice(1)}`,
      { toString: () => sessionId, length: 22 },
      // Values a pattern test would turn into text first: a symbol refuses that, a bigint passes as digits.
      Symbol('session'),
      1234567890123456789012n,
    ]) {
      expect(isSessionId(other), String(other)).toBe(false);
    }
  });
});
