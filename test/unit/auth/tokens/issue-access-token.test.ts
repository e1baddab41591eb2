/**
 * Issuing: the header and claims of a token, times from the injected clock, caller mistakes, and the
 * round trip through the verifier, including rotation of the signing keys.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { FIXED_NOW_MS, manualClock } from '../../../support/test-runtime.js';
import {
  alice,
  expectRejected,
  freshTokenModules,
  harness,
  keyA,
  keyB,
  keyC,
  keySetOf,
  settings,
} from './token-fixtures.js';

const nowSeconds = Math.floor(FIXED_NOW_MS / 1000);

describe('createAccessTokenIssuer', () => {
  it('signs with the current key: header { alg EdDSA, kid, typ at+jwt } and nothing else', async () => {
    const { issuer } = await harness();
    const { token } = await issuer.issue(alice);
    expect(decodeProtectedHeader(token)).toStrictEqual({ alg: 'EdDSA', kid: keyA.kid, typ: 'at+jwt' });
  });

  it('writes exactly iss, aud, sub, jti, sid, iat, exp, username and roles, times from the clock', async () => {
    const { issuer } = await harness();
    const issued = await issuer.issue(alice);
    expect(decodeJwt(issued.token)).toStrictEqual({
      iss: settings.issuer,
      aud: settings.audience,
      sub: 'user-0001',
      jti: 'tok-1',
      sid: 'c2Vzc2lvbi0wMDAxLWFiYw',
      iat: nowSeconds,
      exp: nowSeconds + 600,
      username: 'alice',
      roles: ['user'],
    });
    expect(issued).toStrictEqual({
      token: issued.token,
      tokenType: 'Bearer',
      expiresInSeconds: 600,
      tokenId: 'tok-1',
      expiresAtMs: (nowSeconds + 600) * 1000,
    });
  });

  it('counts whole seconds from the clock, rounding the issue time down', async () => {
    const { issuer, clock } = await harness({ lifetimeSeconds: 60 });
    clock.advanceMs(1999);
    const issued = await issuer.issue(alice);
    expect(decodeJwt(issued.token)).toMatchObject({ iat: nowSeconds + 1, exp: nowSeconds + 61 });
    expect(issued.expiresAtMs).toBe((nowSeconds + 61) * 1000);
  });

  it('gives every token a fresh jti from newId', async () => {
    const { issuer } = await harness();
    const ids = await Promise.all([1, 2, 3].map(async () => (await issuer.issue(alice)).tokenId));
    expect(new Set(ids).size).toBe(3);
  });

  it('treats bad input as a caller mistake (TypeError): empty ids, unknown or repeated roles', async () => {
    const { issuer } = await harness();
    await expect(issuer.issue({ ...alice, subject: '' })).rejects.toThrow(TypeError);
    await expect(issuer.issue({ ...alice, sessionId: '' })).rejects.toThrow(TypeError);
    await expect(issuer.issue({ ...alice, sessionId: 'sess-0001' })).rejects.toThrow(TypeError);
    await expect(issuer.issue({ ...alice, username: 'a'.repeat(257) })).rejects.toThrow(TypeError);
    await expect(issuer.issue({ ...alice, roles: ['root' as never] })).rejects.toThrow(TypeError);
    await expect(issuer.issue({ ...alice, roles: ['user', 'user'] })).rejects.toThrow(TypeError);
  });

  it('says which input is wrong and what it must be', async () => {
    const { issuer } = await harness();
    await expect(issuer.issue({ ...alice, subject: 42 as never })).rejects.toThrow(
      'subject must be a string of 1 to 256 characters',
    );
    await expect(issuer.issue({ ...alice, username: '' })).rejects.toThrow(
      'username must be a string of 1 to 256 characters',
    );
    await expect(issuer.issue({ ...alice, roles: ['root' as never] })).rejects.toThrow(
      'roles must be distinct values among user, admin',
    );
    const { createAccessTokenIssuer } = await freshTokenModules();
    const withoutIds = createAccessTokenIssuer({
      keys: () => keySetOf(keyA),
      settings,
      clock: manualClock(),
      newId: () => '',
    });
    await expect(withoutIds.issue(alice)).rejects.toThrow('newId() must be a string of 1 to 256 characters');
  });

  it('says how large the refused token is', async () => {
    const { issuer } = await harness({ maxTokenBytes: 512 });
    await expect(issuer.issue({ ...alice, username: 'a'.repeat(256) })).rejects.toThrow(
      /^the access token is \d+ bytes, over maxTokenBytes$/,
    );
  });

  it('refuses to issue a token the verifier would refuse as too large', async () => {
    const { issuer } = await harness({ maxTokenBytes: 512 });
    await expect(issuer.issue({ ...alice, username: 'a'.repeat(256) })).rejects.toThrow(RangeError);
  });

  it('issues, and the verifier accepts, a token of exactly maxTokenBytes', async () => {
    // Each harness issues its first token with the same jti, so lengths compare across harnesses.
    const lengthWith = async (username: string) =>
      (await (await harness()).issuer.issue({ ...alice, username })).token.length;
    // Base64url grows by one or two characters per byte: some username length lands on 600 exactly.
    let username = 'a'.repeat(100);
    while ((await lengthWith(username)) < 600) username += 'a';
    expect(await lengthWith(username)).toBe(600);
    const exact = await harness({ maxTokenBytes: 600 });
    const { token } = await exact.issuer.issue({ ...alice, username });
    await expect(exact.verifier.verify(token)).resolves.toMatchObject({ username });
    const tighter = await harness({ maxTokenBytes: 599 });
    await expect(tighter.issuer.issue({ ...alice, username })).rejects.toThrow(RangeError);
    await expectRejected(tighter.verifier, token, 'too_large');
  });
});

describe('issue then verify', () => {
  it('returns the claims that were issued', async () => {
    const { issuer, verifier } = await harness();
    const { token } = await issuer.issue({ ...alice, roles: ['user', 'admin'] });
    expect(await verifier.verify(token)).toStrictEqual({
      sub: 'user-0001',
      sid: 'c2Vzc2lvbi0wMDAxLWFiYw',
      jti: 'tok-1',
      username: 'alice',
      roles: ['user', 'admin'],
      iat: nowSeconds,
      exp: nowSeconds + 600,
    });
  });

  it('accepts a token up to (not including) 5 s past exp, then refuses it as expired', async () => {
    const { issuer, verifier, clock } = await harness();
    const { token, expiresAtMs } = await issuer.issue(alice);
    clock.setMs(expiresAtMs - 1);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-0001' });
    clock.setMs(expiresAtMs + 4999);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-0001' });
    clock.setMs(expiresAtMs + 5000);
    await expectRejected(verifier, token, 'expired');
    clock.setMs(expiresAtMs + 60_000);
    await expectRejected(verifier, token, 'expired');
  });

  it('with no tolerance, refuses a token at its exp second', async () => {
    const { issuer, verifier, clock } = await harness({ clockToleranceSeconds: 0 });
    const { token, expiresAtMs } = await issuer.issue(alice);
    clock.setMs(expiresAtMs - 1);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    clock.setMs(expiresAtMs);
    await expectRejected(verifier, token, 'expired');
  });

  it('accepts a token issued up to 5 s in the verifier future (skew), not more', async () => {
    const { issuer, verifier, clock } = await harness();
    clock.advanceMs(5000);
    const skewed = await issuer.issue(alice);
    clock.advanceMs(1000);
    const tooSkewed = await issuer.issue(alice);
    clock.advanceMs(-6000);
    await expect(verifier.verify(skewed.token)).resolves.toBeDefined();
    await expectRejected(verifier, tooSkewed.token, 'not_yet_valid');
  });

  it('refuses a token from another issuer or for another audience, even when signed with our key', async () => {
    const { verifier } = await harness();
    const otherIssuer = await harness({ issuer: 'https://evil.example' });
    const otherAudience = await harness({ audience: 'https://other-api.bulwark.test' });
    await expectRejected(verifier, (await otherIssuer.issuer.issue(alice)).token, 'issuer');
    await expectRejected(verifier, (await otherAudience.issuer.issue(alice)).token, 'audience');
  });
});

describe('rotation', () => {
  it('keeps tokens signed by the previous key valid, and signs new tokens with the new key', async () => {
    const h = await harness({}, await keySetOf(keyA));
    const before = await h.issuer.issue(alice);
    h.useKeys(await keySetOf(keyB, keyA));
    await expect(h.verifier.verify(before.token)).resolves.toMatchObject({ jti: before.tokenId });
    const after = await h.issuer.issue(alice);
    expect(decodeProtectedHeader(after.token).kid).toBe(keyB.kid);
    await expect(h.verifier.verify(after.token)).resolves.toMatchObject({ jti: after.tokenId });
  });

  it('refuses a token whose key has left the set (two rotations later) as unknown_kid', async () => {
    const h = await harness({}, await keySetOf(keyA));
    const old = await h.issuer.issue(alice);
    h.useKeys(await keySetOf(keyB, keyA));
    h.useKeys(await keySetOf(keyC, keyB));
    await expectRejected(h.verifier, old.token, 'unknown_kid');
  });

  it('refuses a token whose kid names a key in the set but whose signature is by another key', async () => {
    const signer = await harness({}, await keySetOf(keyA));
    const { token } = await signer.issuer.issue(alice);
    const [, payload, signature] = token.split('.');
    // Same signature, header claiming keyB's kid: keyB is in the verifier's set.
    const relabelled = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: keyB.kid, typ: 'at+jwt' })).toString(
      'base64url',
    );
    const verifier = await harness({}, await keySetOf(keyB, keyA));
    await expectRejected(verifier.verifier, `${relabelled}.${payload}.${signature}`, 'signature');
  });
});
