/**
 * Whole rotations against a stateful fake Secrets Manager: the first rotation on deploy, a rotation that
 * publishes before issuers switch, a retried rotation, and rotations that fail after setSecret. The
 * invariant checked after every step: the key issuers sign with (the signing secret's AWSCURRENT) is
 * published in the verification secret's AWSCURRENT, so no verifier ever sees a token it cannot check.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccessTokenIssuer } from '../../../../shared/auth/tokens/issue-access-token.js';
import { jwksOf } from '../../../../shared/auth/tokens/jwks.js';
import {
  type RotationDependencies,
  rotateSigningKeys,
  rotationSteps,
} from '../../../../shared/auth/tokens/rotation/rotate-signing-keys.js';
import { parseSigningKeySet } from '../../../../shared/auth/tokens/signing-key-set.js';
import { parseVerificationKeySet } from '../../../../shared/auth/tokens/verification-key-set.js';
import { createAccessTokenVerifier } from '../../../../shared/auth/tokens/verify-access-token.js';
import { type FakeSecretsManager, fakeSecretsManager } from '../../../support/fake-secrets-manager.js';
import { rejectionOf } from '../../../support/rejection-of.js';
import { manualClock } from '../../../support/test-runtime.js';
import { alice, settings } from '../tokens/token-fixtures.js';

const SIGNING = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/signing-keys-AbCdEf';
const VERIFICATION = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/verification-keys-GhIjKl';
const marker = (text: string) => ({ uninitialised: text.padEnd(48, 'x') });
const tokenFor = (n: number): string => `0000000${n}-2222-3333-4444-555555555555`;

describe('signing-key rotation with the verification secret', () => {
  let sm: FakeSecretsManager;
  let deps: RotationDependencies;
  const clock = manualClock();

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

  /** Kids of the published public keys; none while the verification secret is the marker. */
  const publishedKids = async (): Promise<string[]> => {
    const value = sm.valueAt(VERIFICATION, 'AWSCURRENT');
    if (value !== null && typeof value === 'object' && 'uninitialised' in value) return [];
    return (await parseVerificationKeySet(value, VERIFICATION)).publicJwks.map((jwk) => jwk.kid);
  };

  /** The kid issuers sign with now, or undefined while the signing secret is the marker. */
  const signingKid = async (): Promise<string | undefined> => {
    const value = sm.valueAt(SIGNING, 'AWSCURRENT');
    if (value !== null && typeof value === 'object' && 'uninitialised' in value) return undefined;
    return (await parseSigningKeySet(value, SIGNING)).current.kid;
  };

  const expectSignerPublished = async (): Promise<void> => {
    const kid = await signingKid();
    if (kid !== undefined) expect(await publishedKids()).toContain(kid);
  };

  /** Runs every step once, checking the invariant after each. */
  const rotate = async (token: string): Promise<void> => {
    sm.startRotation(SIGNING, token);
    for (const name of rotationSteps) {
      await step(token, name);
      await expectSignerPublished();
    }
  };

  /** A token from today's issuers: signed with the signing secret's AWSCURRENT. */
  const issueNow = async (): Promise<string> => {
    const set = await parseSigningKeySet(sm.valueAt(SIGNING, 'AWSCURRENT'), SIGNING);
    const issuer = createAccessTokenIssuer({ keys: async () => set, settings, clock, newId: () => 'jti' });
    return (await issuer.issue(alice)).token;
  };

  /** Verifies as the API's verifiers do: with the published public keys only. */
  const verifyNow = async (token: string) => {
    const set = await parseVerificationKeySet(sm.valueAt(VERIFICATION, 'AWSCURRENT'), VERIFICATION);
    return createAccessTokenVerifier({ keys: async () => set, settings, clock }).verify(token);
  };

  it('the first rotation on deploy turns both markers into one key, and publishes it before it signs', async () => {
    sm.startRotation(SIGNING, tokenFor(1));
    await step(tokenFor(1), 'createSecret');
    expect(await publishedKids()).toEqual([]);
    await step(tokenFor(1), 'setSecret');
    // Published while the signing secret is still the marker: nobody signs with the key yet.
    expect(await signingKid()).toBeUndefined();
    expect(await publishedKids()).toHaveLength(1);
    await step(tokenFor(1), 'testSecret');
    await step(tokenFor(1), 'finishSecret');

    const kid = await signingKid();
    expect(kid).toMatch(/^k-/);
    expect(await publishedKids()).toEqual([kid]);
    expect(sm.valueAt(VERIFICATION, 'AWSCURRENT')).toEqual(
      jwksOf(await parseSigningKeySet(sm.valueAt(SIGNING, 'AWSCURRENT'), SIGNING)),
    );
    await expect(verifyNow(await issueNow())).resolves.toMatchObject({ sub: alice.subject });
  });

  it('publishes the next key while issuers still sign with the current one, then keeps both', async () => {
    await rotate(tokenFor(1));
    const first = await signingKid();
    const before = await issueNow();

    sm.startRotation(SIGNING, tokenFor(2));
    await step(tokenFor(2), 'createSecret');
    await step(tokenFor(2), 'setSecret');
    const [next, ...rest] = await publishedKids();
    expect(rest).toEqual([first]);
    expect(next).not.toBe(first);
    // Between setSecret and finishSecret: issuers still sign with the first key, which still verifies.
    expect(await signingKid()).toBe(first);
    await expect(verifyNow(await issueNow())).resolves.toMatchObject({ sub: alice.subject });
    await step(tokenFor(2), 'testSecret');
    await step(tokenFor(2), 'finishSecret');

    expect(await signingKid()).toBe(next);
    await expect(verifyNow(await issueNow())).resolves.toMatchObject({ sub: alice.subject });
    await expect(verifyNow(before)).resolves.toMatchObject({ sub: alice.subject });
  });

  it('drops the key of two rotations ago and never publishes more than two keys', async () => {
    await rotate(tokenFor(1));
    const oldest = await signingKid();
    await rotate(tokenFor(2));
    await rotate(tokenFor(3));
    const published = await publishedKids();
    expect(published).toHaveLength(2);
    expect(published).not.toContain(oldest);
    expect(published[0]).toBe(await signingKid());
  });

  it('ends a retried rotation (every step twice) where a single one would, with one published version', async () => {
    await rotate(tokenFor(1));
    sm.startRotation(SIGNING, tokenFor(2));
    for (const name of rotationSteps) {
      await step(tokenFor(2), name);
      await step(tokenFor(2), name);
      await expectSignerPublished();
    }
    expect(sm.versionIds(VERIFICATION)).toEqual(['initial', tokenFor(1), tokenFor(2)]);
    const set = await parseSigningKeySet(sm.valueAt(SIGNING, 'AWSCURRENT'), SIGNING);
    expect(sm.valueAt(VERIFICATION, 'AWSCURRENT')).toEqual(jwksOf(set));
    expect(set.previous).toBeDefined();
  });

  it('leaves issuers on a published key when finishSecret fails after setSecret, and completes on retry', async () => {
    await rotate(tokenFor(1));
    const first = await signingKid();
    sm.startRotation(SIGNING, tokenFor(2));
    await step(tokenFor(2), 'createSecret');
    await step(tokenFor(2), 'setSecret');
    await step(tokenFor(2), 'testSecret');
    sm.failNext('UpdateSecretVersionStage');
    expect(String(await rejectionOf(step(tokenFor(2), 'finishSecret')))).toMatch(/injected failure/);

    // The failed rotation changed what verifiers accept, not what issuers sign with.
    expect(await signingKid()).toBe(first);
    await expectSignerPublished();
    await expect(verifyNow(await issueNow())).resolves.toMatchObject({ sub: alice.subject });

    // Secrets Manager retries the rotation with the same token: every step again.
    for (const name of rotationSteps) {
      await step(tokenFor(2), name);
      await expectSignerPublished();
    }
    expect(await signingKid()).not.toBe(first);
    expect(await publishedKids()).toEqual([await signingKid(), first]);
  });

  it('drops an abandoned pending key that never signed when a new rotation replaces it', async () => {
    await rotate(tokenFor(1));
    const first = await signingKid();
    sm.startRotation(SIGNING, tokenFor(2));
    await step(tokenFor(2), 'createSecret');
    await step(tokenFor(2), 'setSecret');
    const [abandoned] = await publishedKids();
    // testSecret never passes (say the function timed out for good); an operator starts over.
    await rotate(tokenFor(3));
    const published = await publishedKids();
    expect(published).toEqual([await signingKid(), first]);
    expect(published).not.toContain(abandoned);
  });

  it('refuses to finish when the publication did not happen, so issuers never sign with an unknown key', async () => {
    await rotate(tokenFor(1));
    sm.startRotation(SIGNING, tokenFor(2));
    await step(tokenFor(2), 'createSecret');
    sm.failNext('PutSecretValue');
    await expect(step(tokenFor(2), 'setSecret')).rejects.toThrow(/injected failure/);
    // Secrets Manager would not call the next step after a failure; even if it did, testSecret stops it.
    await expect(step(tokenFor(2), 'testSecret')).rejects.toThrow(
      /does not publish the public keys of AWSPENDING/,
    );
    await expectSignerPublished();
  });
});
