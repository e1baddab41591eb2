import { describe, expect, it } from 'vitest';
import { createAccessTokenIssuer } from '../../../../shared/auth/tokens/issue-access-token.js';
import type { SigningKeySet } from '../../../../shared/auth/tokens/signing-key-set.js';
import { createAccessTokenVerifier } from '../../../../shared/auth/tokens/verify-access-token.js';
import { manualClock } from '../../../support/test-runtime.js';
import { alice, expectRejected, keyA, keyB, keyC, keySetOf, settings } from './token-fixtures.js';

/**
 * After a rotation an instance's cached key set does not yet know the new key. The verifier re-reads
 * the set past the cache once, so tokens from the new key verify at once, and a forged kid cannot make
 * every request fetch the secret.
 */
describe('a verifier whose cached key set predates a rotation', () => {
  const setup = async () => {
    const clock = manualClock();
    const stale = await keySetOf(keyA);
    const rotated: SigningKeySet = await keySetOf(keyB, keyA);
    let refreshes = 0;
    const verifier = createAccessTokenVerifier({
      keys: async () => stale,
      refreshKeys: async () => {
        refreshes += 1;
        return rotated;
      },
      refreshIntervalMs: 30_000,
      settings,
      clock,
    });
    const issuer = createAccessTokenIssuer({
      keys: async () => rotated,
      settings,
      clock,
      newId: () => 'jti-1',
    });
    return { clock, verifier, issuer, refreshes: () => refreshes };
  };

  it('refreshes the set once and accepts a token signed by the new current key', async () => {
    const { verifier, issuer, refreshes } = await setup();
    const { token } = await issuer.issue(alice);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: alice.subject });
    expect(refreshes()).toBe(1);
  });

  it('never refreshes for a kid the cached set knows', async () => {
    const { verifier, refreshes } = await setup();
    const current = createAccessTokenIssuer({
      keys: async () => keySetOf(keyA),
      settings,
      clock: manualClock(),
      newId: () => 'jti-2',
    });
    const { token } = await current.issue(alice);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: alice.subject });
    expect(refreshes()).toBe(0);
  });

  it('refreshes at most once per interval, so unknown kids cannot force a fetch per request', async () => {
    const { clock, verifier, refreshes } = await setup();
    const forgedIssuer = createAccessTokenIssuer({
      keys: async () => keySetOf(keyC),
      settings,
      clock,
      newId: () => 'jti-forged',
    });
    const { token: forged } = await forgedIssuer.issue(alice);
    await expectRejected(verifier, forged, 'unknown_kid');
    await expectRejected(verifier, forged, 'unknown_kid');
    expect(refreshes()).toBe(1);
    clock.advanceMs(30_000);
    await expectRejected(verifier, forged, 'unknown_kid');
    expect(refreshes()).toBe(2);
  });
});
