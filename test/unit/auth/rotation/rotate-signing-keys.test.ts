/**
 * The signing-key rotation steps against a mocked Secrets Manager (aws-sdk-client-mock): the exact
 * writes of createSecret, setSecret (the public keys) and finishSecret, what testSecret refuses,
 * idempotency, and event validation. Whole rotations against a stateful fake: rotation-scenarios.test.ts.
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jwksOf } from '../../../../shared/auth/tokens/jwks.js';
import {
  type RotationDependencies,
  type RotationStep,
  rotateSigningKeys,
  SigningKeyRotationError,
} from '../../../../shared/auth/tokens/rotation/rotate-signing-keys.js';
import { KID_PATTERN, parseSigningKeySet } from '../../../../shared/auth/tokens/signing-key-set.js';
import { rejectionOf } from '../../../support/rejection-of.js';
import { manualClock } from '../../../support/test-runtime.js';
import { keyA, keyB, keyC, SECRET_NAME, secretOf } from '../tokens/token-fixtures.js';

const TOKEN = '11111111-2222-3333-4444-555555555555';
const CURRENT_VERSION = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const NOW_MS = Date.parse('2026-11-23T10:00:00Z');
const MARKER = { uninitialised: 'Zq3kP0aX9vB2mN7rT4wY8cE1dF6gH5jK0lL2sA3qW4eR5tY6' };
const VERIFICATION_SECRET =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/verification-keys-GhIjKl';

/** What setSecret publishes for a signing-key secret value: its JWKS document. */
const publishedFor = async (secretJson: unknown): Promise<unknown> =>
  jwksOf(await parseSigningKeySet(secretJson, SECRET_NAME));

const notFound = (): ResourceNotFoundException =>
  new ResourceNotFoundException({ message: 'no such version', $metadata: {} });

const describeOutput = (
  overrides: Partial<DescribeSecretCommandOutput> = {},
  tokenStages: string[] = ['AWSPENDING'],
): DescribeSecretCommandOutput => ({
  $metadata: {},
  ARN: SECRET_NAME,
  RotationEnabled: true,
  VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: tokenStages },
  ...overrides,
});

const eventFor = (step: RotationStep, token: string = TOKEN) => ({
  SecretId: SECRET_NAME,
  ClientRequestToken: token,
  Step: step,
});

describe('rotateSigningKeys', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  let client: SecretsManagerClient;
  let deps: RotationDependencies;

  /**
   * AWSCURRENT holds `current`; AWSPENDING for TOKEN holds `pending` (or does not exist). The
   * verification secret's AWSCURRENT holds `published` (the marker when not given).
   */
  const givenSecret = (current: unknown, pending?: unknown, published: unknown = MARKER): void => {
    secretsManager.on(DescribeSecretCommand).resolves(describeOutput());
    secretsManager.on(GetSecretValueCommand).rejects(notFound());
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_NAME, VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: JSON.stringify(current), VersionId: CURRENT_VERSION });
    if (pending !== undefined) {
      secretsManager
        .on(GetSecretValueCommand, { SecretId: SECRET_NAME, VersionId: TOKEN, VersionStage: 'AWSPENDING' })
        .resolves({ SecretString: JSON.stringify(pending), VersionId: TOKEN });
    }
    secretsManager
      .on(GetSecretValueCommand, { SecretId: VERIFICATION_SECRET, VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: JSON.stringify(published), VersionId: 'published-version' });
    secretsManager.on(PutSecretValueCommand).resolves({ VersionId: TOKEN });
    secretsManager.on(UpdateSecretVersionStageCommand).resolves({});
  };

  const writtenSecret = (): Record<string, unknown> => {
    const puts = secretsManager.commandCalls(PutSecretValueCommand);
    expect(puts).toHaveLength(1);
    return JSON.parse(String(puts[0]?.args[0].input.SecretString)) as Record<string, unknown>;
  };

  beforeEach(() => {
    secretsManager.reset();
    client = new SecretsManagerClient({ region: 'eu-west-1' });
    let counter = 0;
    deps = {
      client,
      verificationSecretId: VERIFICATION_SECRET,
      clock: manualClock(NOW_MS),
      randomHex: (bytes) => {
        counter += 1;
        return counter.toString(16).padStart(bytes * 2, '0');
      },
    };
  });

  afterEach(() => {
    client.destroy();
  });

  describe('createSecret', () => {
    it('writes AWSPENDING with a new current key and the old current as a public-only previous', async () => {
      givenSecret(secretOf(keyA, keyB));
      await rotateSigningKeys(eventFor('createSecret'), deps);

      const puts = secretsManager.commandCalls(PutSecretValueCommand);
      expect(puts).toHaveLength(1);
      const input = puts[0]?.args[0].input;
      expect(Object.keys(input ?? {}).sort()).toEqual([
        'ClientRequestToken',
        'SecretId',
        'SecretString',
        'VersionStages',
      ]);
      expect(input).toMatchObject({
        SecretId: SECRET_NAME,
        ClientRequestToken: TOKEN,
        VersionStages: ['AWSPENDING'],
      });

      const written = writtenSecret();
      expect(written.previous).toEqual({
        kid: keyA.kid,
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: keyA.privateJwk.x },
      });
      expect(JSON.stringify(written.previous)).not.toContain('"d"');
      expect(JSON.stringify(written)).not.toContain(keyA.privateJwk.d);
      expect(JSON.stringify(written)).not.toContain(keyB.kid);

      const current = written.current as { kid: string; privateJwk: Record<string, string> };
      expect(current.kid).toBe('k-2026-11-23-00000001');
      expect(current.kid).toMatch(KID_PATTERN);
      expect(Object.keys(current.privateJwk).sort()).toEqual(['crv', 'd', 'kty', 'x']);
      expect(current.privateJwk.x).not.toBe(keyA.privateJwk.x);

      const parsed = await parseSigningKeySet(written, SECRET_NAME);
      expect(parsed.previous?.kid).toBe(keyA.kid);
    });

    it('initialises the secret from the uninitialised marker with a current key and no previous', async () => {
      givenSecret(MARKER);
      await rotateSigningKeys(eventFor('createSecret'), deps);

      expect(secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toMatchObject({
        SecretId: SECRET_NAME,
        ClientRequestToken: TOKEN,
        VersionStages: ['AWSPENDING'],
      });
      const written = writtenSecret();
      expect(Object.keys(written)).toEqual(['current']);
      expect(JSON.stringify(written)).not.toContain(MARKER.uninitialised);
      await expect(parseSigningKeySet(written, SECRET_NAME)).resolves.toMatchObject({ previous: undefined });
    });

    it('does nothing when AWSPENDING already holds a value for the token', async () => {
      givenSecret(secretOf(keyA), secretOf(keyB, keyA));
      await rotateSigningKeys(eventFor('createSecret'), deps);
      await rotateSigningKeys(eventFor('createSecret'), deps);
      expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    });

    it('refuses to overwrite an AWSCURRENT that is neither a key set nor the marker', async () => {
      givenSecret({ current: { kid: keyA.kid } });
      const error = await rejectionOf(rotateSigningKeys(eventFor('createSecret'), deps));
      expect(error).toBeInstanceOf(SigningKeyRotationError);
      expect(String(error)).toMatch(/createSecret: AWSCURRENT is neither/);
      expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    });
  });

  describe('setSecret', () => {
    it('publishes the public halves of AWSPENDING to the verification secret under the rotation token', async () => {
      givenSecret(secretOf(keyA, keyC), secretOf(keyB, keyA));
      await rotateSigningKeys(eventFor('setSecret'), deps);

      const puts = secretsManager.commandCalls(PutSecretValueCommand);
      expect(puts).toHaveLength(1);
      const input = puts[0]?.args[0].input;
      // No VersionStages: the published version becomes the public secret's AWSCURRENT at once.
      expect(Object.keys(input ?? {}).sort()).toEqual(['ClientRequestToken', 'SecretId', 'SecretString']);
      expect(input).toMatchObject({ SecretId: VERIFICATION_SECRET, ClientRequestToken: TOKEN });
      expect(JSON.parse(String(input?.SecretString))).toEqual({
        keys: [
          { kty: 'OKP', crv: 'Ed25519', x: keyB.privateJwk.x, kid: keyB.kid, alg: 'EdDSA', use: 'sig' },
          { kty: 'OKP', crv: 'Ed25519', x: keyA.privateJwk.x, kid: keyA.kid, alg: 'EdDSA', use: 'sig' },
        ],
      });
      // Only public members; and keyC, AWSCURRENT's previous, is no longer published.
      for (const key of [keyA, keyB, keyC]) expect(input?.SecretString).not.toContain(key.privateJwk.d);
      expect(input?.SecretString).not.toContain('"d"');
      expect(input?.SecretString).not.toContain(keyC.kid);
      // The signing secret itself is left alone: its stages move only in finishSecret.
      expect(secretsManager.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    });

    it('writes the same string under the same version id when retried, so a retry is a no-op for Secrets Manager', async () => {
      givenSecret(secretOf(keyA), secretOf(keyB, keyA));
      await rotateSigningKeys(eventFor('setSecret'), deps);
      await rotateSigningKeys(eventFor('setSecret'), deps);
      const inputs = secretsManager.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
      expect(inputs).toHaveLength(2);
      expect(inputs[1]).toEqual(inputs[0]);
    });

    it('publishes a first key alone when the rotation initialises the secret from the marker', async () => {
      givenSecret(MARKER, secretOf(keyA));
      await rotateSigningKeys(eventFor('setSecret'), deps);
      const input = secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input;
      expect(JSON.parse(String(input?.SecretString))).toEqual(await publishedFor(secretOf(keyA)));
    });

    it('publishes nothing when AWSPENDING is not a valid key set', async () => {
      const broken = secretOf(keyB, keyA) as { current: { kid: string; privateJwk: Record<string, string> } };
      broken.current.privateJwk = { ...broken.current.privateJwk, x: keyC.privateJwk.x };
      givenSecret(secretOf(keyA), broken);
      await expect(rotateSigningKeys(eventFor('setSecret'), deps)).rejects.toThrow(
        /setSecret: AWSPENDING is not a valid signing-key set/,
      );
      expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    });
  });

  describe('testSecret', () => {
    it('passes for the pending set createSecret wrote, once setSecret published it', async () => {
      givenSecret(secretOf(keyA, keyB));
      await rotateSigningKeys(eventFor('createSecret'), deps);
      const written = writtenSecret();
      givenSecret(secretOf(keyA, keyB), written, await publishedFor(written));
      await expect(rotateSigningKeys(eventFor('testSecret'), deps)).resolves.toBeUndefined();
    });

    it('passes for a first key over the uninitialised marker', async () => {
      givenSecret(MARKER, secretOf(keyA), await publishedFor(secretOf(keyA)));
      await expect(rotateSigningKeys(eventFor('testSecret'), deps)).resolves.toBeUndefined();
    });

    it('throws when the verification secret still holds the marker (setSecret did not publish)', async () => {
      givenSecret(MARKER, secretOf(keyA));
      await expect(rotateSigningKeys(eventFor('testSecret'), deps)).rejects.toThrow(
        /testSecret: the verification-key secret does not hold a valid key set/,
      );
    });

    it('throws when the verification secret publishes other keys than AWSPENDING (the old set)', async () => {
      givenSecret(secretOf(keyA), secretOf(keyB, keyA), await publishedFor(secretOf(keyA)));
      await expect(rotateSigningKeys(eventFor('testSecret'), deps)).rejects.toThrow(
        /testSecret: the verification-key secret does not publish the public keys of AWSPENDING/,
      );
    });

    it('throws when the verification secret publishes a known kid with other key bytes', async () => {
      const forged = {
        keys: [
          { kty: 'OKP', crv: 'Ed25519', x: keyC.privateJwk.x, kid: keyB.kid, alg: 'EdDSA', use: 'sig' },
          { kty: 'OKP', crv: 'Ed25519', x: keyA.privateJwk.x, kid: keyA.kid, alg: 'EdDSA', use: 'sig' },
        ],
      };
      givenSecret(secretOf(keyA), secretOf(keyB, keyA), forged);
      await expect(rotateSigningKeys(eventFor('testSecret'), deps)).rejects.toThrow(
        /testSecret: the verification-key secret does not publish the public keys of AWSPENDING/,
      );
    });

    it('throws, naming the step, when the pending value is not a valid key set (bad JWK)', async () => {
      const broken = secretOf(keyB, keyA) as { current: { kid: string; privateJwk: Record<string, string> } };
      broken.current.privateJwk = { ...broken.current.privateJwk, x: keyC.privateJwk.x };
      givenSecret(secretOf(keyA), broken);
      const error = await rejectionOf(rotateSigningKeys(eventFor('testSecret'), deps));
      expect(error).toBeInstanceOf(SigningKeyRotationError);
      expect((error as SigningKeyRotationError).step).toBe('testSecret');
      expect(String(error)).toMatch(/testSecret: AWSPENDING is not a valid signing-key set/);
      expect(String(error)).not.toContain(keyB.privateJwk.d);
    });

    it('throws when the pending value is not JSON', async () => {
      givenSecret(secretOf(keyA));
      secretsManager
        .on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' })
        .resolves({ SecretString: '{"current":', VersionId: TOKEN });
      await expect(rotateSigningKeys(eventFor('testSecret'), deps)).rejects.toThrow(
        /testSecret: the AWSPENDING version is not JSON/,
      );
    });

    it('throws when previous is missing although AWSCURRENT had a current key', async () => {
      givenSecret(secretOf(keyA), secretOf(keyB));
      await expect(rotateSigningKeys(eventFor('testSecret'), deps)).rejects.toThrow(
        /testSecret: AWSPENDING has no previous key/,
      );
    });

    it("throws when previous is not AWSCURRENT's current key", async () => {
      givenSecret(secretOf(keyA), secretOf(keyB, keyC));
      await expect(rotateSigningKeys(eventFor('testSecret'), deps)).rejects.toThrow(
        /testSecret: AWSPENDING's previous key is not AWSCURRENT's current key/,
      );
    });

    it('throws when previous reuses the kid of the current key with other key bytes', async () => {
      const forged = secretOf(keyB) as Record<string, unknown>;
      forged.previous = { kid: keyA.kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: keyC.privateJwk.x } };
      givenSecret(secretOf(keyA), forged);
      await expect(rotateSigningKeys(eventFor('testSecret'), deps)).rejects.toThrow(
        /testSecret: AWSPENDING's previous key is not/,
      );
    });

    it('throws when the pending version does not exist', async () => {
      givenSecret(secretOf(keyA));
      const error = await rejectionOf(rotateSigningKeys(eventFor('testSecret'), deps));
      expect(String(error)).toMatch(/testSecret: cannot read the AWSPENDING version/);
      expect((error as Error).cause).toBeInstanceOf(ResourceNotFoundException);
    });
  });

  describe('finishSecret', () => {
    it('moves AWSCURRENT from the current version to the pending one', async () => {
      givenSecret(secretOf(keyA), secretOf(keyB, keyA));
      await rotateSigningKeys(eventFor('finishSecret'), deps);
      const updates = secretsManager.commandCalls(UpdateSecretVersionStageCommand);
      expect(updates).toHaveLength(1);
      expect(updates[0]?.args[0].input).toEqual({
        SecretId: SECRET_NAME,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: TOKEN,
        RemoveFromVersionId: CURRENT_VERSION,
      });
    });

    it('does nothing when the token is already AWSCURRENT', async () => {
      givenSecret(secretOf(keyB, keyA));
      secretsManager.on(DescribeSecretCommand).resolves(
        describeOutput({
          VersionIdsToStages: { [CURRENT_VERSION]: ['AWSPREVIOUS'], [TOKEN]: ['AWSCURRENT', 'AWSPENDING'] },
        }),
      );
      await rotateSigningKeys(eventFor('finishSecret'), deps);
      expect(secretsManager.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    });
  });

  describe('the event', () => {
    it.each(['createSecret', 'testSecret', 'finishSecret'] as const)(
      'is refused at %s when rotation is disabled on the secret',
      async (step) => {
        givenSecret(secretOf(keyA), secretOf(keyB, keyA));
        secretsManager.on(DescribeSecretCommand).resolves(describeOutput({ RotationEnabled: false }));
        await expect(rotateSigningKeys(eventFor(step), deps)).rejects.toThrow(
          new RegExp(`${step}: rotation is not enabled`),
        );
        expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
        expect(secretsManager.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
      },
    );

    it('is refused when the token is not a version of the secret', async () => {
      givenSecret(secretOf(keyA));
      const unknownToken = '99999999-8888-7777-6666-555555555555';
      await expect(rotateSigningKeys(eventFor('createSecret', unknownToken), deps)).rejects.toThrow(
        /createSecret: the ClientRequestToken is not a version of the secret/,
      );
      expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    });

    it('is refused when the token version is neither AWSPENDING nor AWSCURRENT', async () => {
      givenSecret(secretOf(keyA));
      secretsManager.on(DescribeSecretCommand).resolves(describeOutput({}, ['AWSPREVIOUS']));
      await expect(rotateSigningKeys(eventFor('finishSecret'), deps)).rejects.toThrow(
        /finishSecret: the version is not staged AWSPENDING/,
      );
    });

    it.each([
      ['not an object', 'createSecret'],
      [{ SecretId: SECRET_NAME, ClientRequestToken: TOKEN, Step: 'deleteSecret' }, /Step must be one of/],
      [{ SecretId: SECRET_NAME, ClientRequestToken: 'short', Step: 'createSecret' }, /ClientRequestToken/],
      [{ ClientRequestToken: TOKEN, Step: 'createSecret' }, /SecretId/],
    ])('is refused before any call when malformed: %j', async (event, message) => {
      const error = await rejectionOf(rotateSigningKeys(event, deps));
      expect(error).toBeInstanceOf(SigningKeyRotationError);
      expect((error as SigningKeyRotationError).step).toBe('event');
      if (message instanceof RegExp) expect(String(error)).toMatch(message);
      expect(secretsManager.calls()).toHaveLength(0);
    });
  });
});
