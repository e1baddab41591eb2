/**
 * The emergency replacement of a leaked signing key (ADR 0011, docs/runbooks/auth.md) against the stateful
 * fake Secrets Manager: tokens the leaked key signed stop verifying as soon as verifiers read the public
 * set, tokens from the remaining or new key verify, a rotation in flight cannot re-publish the leaked key,
 * and a typo changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccessTokenIssuer } from '../../../../shared/auth/tokens/issue-access-token.js';
import {
  isEmergencyReplacementEvent,
  replaceCompromisedSigningKey,
} from '../../../../shared/auth/tokens/rotation/replace-compromised-signing-key.js';
import {
  type RotationDependencies,
  rotateSigningKeys,
  rotationSteps,
} from '../../../../shared/auth/tokens/rotation/rotate-signing-keys.js';
import { parseSigningKeySet } from '../../../../shared/auth/tokens/signing-key-set.js';
import { parseVerificationKeySet } from '../../../../shared/auth/tokens/verification-key-set.js';
import { createAccessTokenVerifier } from '../../../../shared/auth/tokens/verify-access-token.js';
import { type FakeSecretsManager, fakeSecretsManager } from '../../../support/fake-secrets-manager.js';
import { manualClock } from '../../../support/test-runtime.js';
import { alice, settings } from '../tokens/token-fixtures.js';

const SIGNING = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/signing-keys-AbCdEf';
const VERIFICATION = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/verification-keys-GhIjKl';
const marker = (text: string) => ({ uninitialised: text.padEnd(48, 'x') });
const tokenFor = (n: number): string => `0000000${n}-2222-3333-4444-555555555555`;

describe('replacing a compromised signing key', () => {
  let sm: FakeSecretsManager;
  let deps: RotationDependencies;
  let versions = 0;
  const clock = manualClock();
  const emergency = (compromisedKid: unknown) =>
    replaceCompromisedSigningKey(
      { emergency: 'replace-compromised-key', compromisedKid },
      {
        ...deps,
        signingSecretId: SIGNING,
        newVersionId: () => {
          versions += 1;
          return `9999999${versions}-2222-3333-4444-555555555555`;
        },
      },
    );

  beforeEach(() => {
    sm = fakeSecretsManager();
    sm.create(SIGNING, marker('signing'), { rotationEnabled: true });
    sm.create(VERIFICATION, marker('verification'));
    let counter = 0;
    deps = {
      client: sm.client,
      verificationSecretId: VERIFICATION,
      clock,
      randomHex: (bytes) => {
        counter += 1;
        return counter.toString(16).padStart(bytes * 2, '0');
      },
    };
  });

  afterEach(() => {
    sm.client.destroy();
    sm.restore();
  });

  const step = (token: string, name: (typeof rotationSteps)[number]) =>
    rotateSigningKeys({ SecretId: SIGNING, ClientRequestToken: token, Step: name }, deps);
  const rotate = async (token: string): Promise<void> => {
    sm.startRotation(SIGNING, token);
    for (const name of rotationSteps) await step(token, name);
  };
  const signingSet = () => parseSigningKeySet(sm.valueAt(SIGNING, 'AWSCURRENT'), SIGNING);
  const publishedKids = async (): Promise<string[]> =>
    (await parseVerificationKeySet(sm.valueAt(VERIFICATION, 'AWSCURRENT'), VERIFICATION)).publicJwks.map(
      (jwk) => jwk.kid,
    );
  const issueNow = async (): Promise<string> => {
    const set = await signingSet();
    const issuer = createAccessTokenIssuer({ keys: async () => set, settings, clock, newId: () => 'jti' });
    return (await issuer.issue(alice)).token;
  };
  const verifyNow = async (token: string) => {
    const set = await parseVerificationKeySet(sm.valueAt(VERIFICATION, 'AWSCURRENT'), VERIFICATION);
    return createAccessTokenVerifier({ keys: async () => set, settings, clock }).verify(token);
  };

  it('replaces a leaked current key with a fresh one and keeps no previous key', async () => {
    await rotate(tokenFor(1));
    const older = await issueNow();
    await rotate(tokenFor(2));
    const leaked = (await signingSet()).current.kid;
    const signedByLeaked = await issueNow();

    const result = await emergency(leaked);

    const set = await signingSet();
    expect(set.current.kid).not.toBe(leaked);
    expect(set.previous).toBeUndefined();
    expect(result).toEqual({
      currentKid: set.current.kid,
      publishedKids: [set.current.kid],
      cancelledPendingVersionId: undefined,
    });
    expect(await publishedKids()).toEqual([set.current.kid]);
    await expect(verifyNow(signedByLeaked)).rejects.toMatchObject({ reason: 'unknown_kid' });
    await expect(verifyNow(older)).rejects.toMatchObject({ reason: 'unknown_kid' });
    await expect(verifyNow(await issueNow())).resolves.toMatchObject({ sub: alice.subject });
  });

  it('drops a leaked previous key and keeps signing with the current one', async () => {
    await rotate(tokenFor(1));
    const leaked = (await signingSet()).current.kid;
    const signedByLeaked = await issueNow();
    await rotate(tokenFor(2));
    const current = (await signingSet()).current.kid;
    const signedByCurrent = await issueNow();
    await expect(verifyNow(signedByLeaked)).resolves.toMatchObject({ sub: alice.subject });

    await emergency(leaked);

    expect((await signingSet()).current.kid).toBe(current);
    expect((await signingSet()).previous).toBeUndefined();
    expect(await publishedKids()).toEqual([current]);
    await expect(verifyNow(signedByLeaked)).rejects.toMatchObject({ reason: 'unknown_kid' });
    await expect(verifyNow(signedByCurrent)).resolves.toMatchObject({ sub: alice.subject });
  });

  it('cancels a rotation in flight, whose later steps then fail instead of publishing the leaked key', async () => {
    await rotate(tokenFor(1));
    const leaked = (await signingSet()).current.kid;
    sm.startRotation(SIGNING, tokenFor(2));
    await step(tokenFor(2), 'createSecret');
    await step(tokenFor(2), 'setSecret');
    expect(await publishedKids()).toContain(leaked);

    const result = await emergency(leaked);

    expect(result.cancelledPendingVersionId).toBe(tokenFor(2));
    await expect(step(tokenFor(2), 'setSecret')).rejects.toThrow(
      /is not a version of the secret|not staged AWSPENDING/,
    );
    await expect(step(tokenFor(2), 'finishSecret')).rejects.toThrow(
      /is not a version of the secret|not staged AWSPENDING/,
    );
    expect(await publishedKids()).toEqual([result.currentKid]);
    expect((await signingSet()).current.kid).toBe(result.currentKid);
  });

  it('lets the next scheduled rotation carry on from the emergency key', async () => {
    await rotate(tokenFor(1));
    const { currentKid } = await emergency((await signingSet()).current.kid);
    const signedByEmergencyKey = await issueNow();
    await rotate(tokenFor(3));
    const set = await signingSet();
    expect(set.previous?.kid).toBe(currentKid);
    expect(await publishedKids()).toEqual([set.current.kid, currentKid]);
    await expect(verifyNow(signedByEmergencyKey)).resolves.toMatchObject({ sub: alice.subject });
  });

  it('changes nothing for a kid the stage does not use, and names the kids it does', async () => {
    await rotate(tokenFor(1));
    await rotate(tokenFor(2));
    const before = {
      signing: sm.valueAt(SIGNING, 'AWSCURRENT'),
      verification: sm.valueAt(VERIFICATION, 'AWSCURRENT'),
    };
    const { current, previous } = await signingSet();
    await expect(emergency('k-2026-01-01-deadbeef')).rejects.toThrow(
      `k-2026-01-01-deadbeef is not a key of this stage (current ${current.kid}, previous ${previous?.kid}); nothing was changed`,
    );
    expect(sm.valueAt(SIGNING, 'AWSCURRENT')).toEqual(before.signing);
    expect(sm.valueAt(VERIFICATION, 'AWSCURRENT')).toEqual(before.verification);
  });

  it('refuses before the first key exists, and refuses malformed events', async () => {
    await expect(emergency('k-2026-01-01-deadbeef')).rejects.toThrow(/holds no key yet/);
    await expect(emergency('short')).rejects.toMatchObject({ step: 'event' });
    await expect(emergency(42)).rejects.toMatchObject({ step: 'event' });
    await expect(
      replaceCompromisedSigningKey(
        { emergency: 'rotate-now', compromisedKid: 'k-2026-01-01-deadbeef' },
        { ...deps, signingSecretId: SIGNING, newVersionId: () => tokenFor(9) },
      ),
    ).rejects.toMatchObject({ step: 'event' });
    expect(sm.valueAt(SIGNING, 'AWSCURRENT')).toEqual(marker('signing'));
  });

  it('is told apart from Secrets Manager rotation events by the emergency member alone', () => {
    expect(isEmergencyReplacementEvent({ emergency: 'replace-compromised-key', compromisedKid: 'x' })).toBe(
      true,
    );
    expect(
      isEmergencyReplacementEvent({
        SecretId: SIGNING,
        ClientRequestToken: tokenFor(1),
        Step: 'createSecret',
      }),
    ).toBe(false);
    expect(isEmergencyReplacementEvent(null)).toBe(false);
    expect(isEmergencyReplacementEvent('emergency')).toBe(false);
  });
});
