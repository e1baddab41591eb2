import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../../../domain/clock.js';
import { accessTokenSettings } from '../access-token-settings.js';
import { createAccessTokenIssuer } from '../issue-access-token.js';
import { jwksOf } from '../jwks.js';
import { generateSigningKey, parseSigningKeySet, type SigningKeySet } from '../signing-key-set.js';
import { parseVerificationKeySet } from '../verification-key-set.js';
import { createAccessTokenVerifier } from '../verify-access-token.js';

/** The four steps of the Secrets Manager rotation protocol, in the order Secrets Manager calls them. */
export const rotationSteps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof rotationSteps)[number];

/** What Secrets Manager sends the rotation function, once per step. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
}

export interface RotationDependencies {
  readonly client: SecretsManagerClient;
  /**
   * The verification-key secret (ARN): where setSecret publishes the public halves of the pending set,
   * the only store the verifiers and the JWKS route read (ADR 0011).
   */
  readonly verificationSecretId: string;
  readonly clock: Clock;
  /** `bytes` random bytes as lowercase hex: the unguessable part of a new kid and the test token's jti. */
  readonly randomHex: (bytes: number) => string;
  /** Structured log line; never receives key material (kids and version ids only). */
  readonly log?: (message: string, fields: Readonly<Record<string, string>>) => void;
}

/** Where a failure happened: a protocol step, the emergency replacement, or the event itself. */
export type RotationPhase = RotationStep | 'emergency' | 'event';

/** A rotation failure, naming the step (or `event` when the event itself is refused). */
export class SigningKeyRotationError extends Error {
  readonly step: RotationPhase;

  constructor(step: RotationPhase, message: string, options?: { cause?: unknown }) {
    super(`signing-key rotation ${step}: ${message}`, options);
    this.name = 'SigningKeyRotationError';
    this.step = step;
  }
}

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

/** Issuer and audience of the throwaway token testSecret signs; no verifier in the API accepts them. */
export const ROTATION_TEST_ISSUER = 'urn:bulwark:signing-key-rotation:test';
export const ROTATION_TEST_AUDIENCE = 'urn:bulwark:signing-key-rotation:test';

/** The placeholder the data stack generates (`{ "uninitialised": "<random>" }`) before the first key. */
export const isUninitialisedMarker = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  typeof (value as Record<string, unknown>).uninitialised === 'string';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the event's shape only; the secret's state is checked against DescribeSecret afterwards. */
export const parseRotationEvent = (event: unknown): RotationEvent => {
  if (!isRecord(event)) throw new SigningKeyRotationError('event', 'the event is not an object');
  const { SecretId, ClientRequestToken, Step } = event;
  if (typeof SecretId !== 'string' || SecretId.length === 0 || SecretId.length > 2048) {
    throw new SigningKeyRotationError('event', 'SecretId must be a non-empty string');
  }
  if (
    typeof ClientRequestToken !== 'string' ||
    ClientRequestToken.length < 32 ||
    ClientRequestToken.length > 64
  ) {
    throw new SigningKeyRotationError('event', 'ClientRequestToken must be a string of 32 to 64 characters');
  }
  if (typeof Step !== 'string' || !(rotationSteps as readonly string[]).includes(Step)) {
    throw new SigningKeyRotationError('event', `Step must be one of ${rotationSteps.join(', ')}`);
  }
  return { SecretId, ClientRequestToken, Step: Step as RotationStep };
};

const secretJsonOf = (step: RotationPhase, stage: string, secretString: string | undefined): unknown => {
  if (secretString === undefined) {
    throw new SigningKeyRotationError(step, `the ${stage} version has no SecretString`);
  }
  try {
    return JSON.parse(secretString) as unknown;
  } catch {
    // No cause: a JSON error message can quote part of the secret.
    throw new SigningKeyRotationError(step, `the ${stage} version is not JSON`);
  }
};

export const readStage = async (
  deps: RotationDependencies,
  step: RotationPhase,
  secretId: string,
  stage: typeof AWSCURRENT | typeof AWSPENDING,
  versionId?: string,
): Promise<unknown> => {
  const output = await deps.client.send(
    new GetSecretValueCommand({
      SecretId: secretId,
      VersionStage: stage,
      ...(versionId === undefined ? {} : { VersionId: versionId }),
    }),
  );
  return secretJsonOf(step, stage, output.SecretString);
};

/** AWSCURRENT as a key set, or undefined when it is still the uninitialised marker. Anything else throws. */
export const readCurrentSet = async (
  deps: RotationDependencies,
  step: RotationPhase,
  secretId: string,
): Promise<SigningKeySet | undefined> => {
  const current = await readStage(deps, step, secretId, AWSCURRENT);
  if (isUninitialisedMarker(current)) return undefined;
  try {
    return await parseSigningKeySet(current, secretId);
  } catch (error) {
    // Refuse to overwrite content that is neither a key set nor the marker: an operator must look at it.
    throw new SigningKeyRotationError(step, 'AWSCURRENT is neither a signing-key set nor the marker', {
      cause: error,
    });
  }
};

/** `k-<ISO date>-<8 random hex>`: sortable by creation day, unique per rotation, matches KID_PATTERN. */
export const newKid = (deps: Pick<RotationDependencies, 'clock' | 'randomHex'>): string =>
  `k-${new Date(deps.clock.nowMs()).toISOString().slice(0, 10)}-${deps.randomHex(4)}`;

/**
 * createSecret: writes the next key set as AWSPENDING under the event's token. The new key becomes
 * `current`; the old current key becomes `previous` as its public half only (taken from the validated
 * parse, so `d` cannot be copied). From the uninitialised marker the set holds `current` alone: the
 * first rotation, which CloudFormation triggers on deploy, initialises the secret.
 */
const createSecret = async (deps: RotationDependencies, event: RotationEvent): Promise<void> => {
  const { SecretId, ClientRequestToken } = event;
  const currentSet = await readCurrentSet(deps, 'createSecret', SecretId);
  try {
    await deps.client.send(
      new GetSecretValueCommand({ SecretId, VersionId: ClientRequestToken, VersionStage: AWSPENDING }),
    );
    deps.log?.('AWSPENDING already holds a value for this token; nothing to create', {
      step: 'createSecret',
      versionId: ClientRequestToken,
    });
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const current = await generateSigningKey(newKid(deps));
  const next =
    currentSet === undefined
      ? { current }
      : {
          current,
          previous: {
            kid: currentSet.current.kid,
            publicJwk: { kty: 'OKP', crv: 'Ed25519', x: currentSet.current.publicJwk.x },
          },
        };
  await deps.client.send(
    new PutSecretValueCommand({
      SecretId,
      ClientRequestToken,
      SecretString: JSON.stringify(next),
      VersionStages: [AWSPENDING],
    }),
  );
  deps.log?.('created the pending signing-key set', {
    step: 'createSecret',
    versionId: ClientRequestToken,
    kid: current.kid,
    previousKid: currentSet?.current.kid ?? '(none: initialised from the marker)',
  });
};

/** AWSPENDING of the token, parsed: what setSecret publishes and testSecret checks. */
const readPendingSet = async (
  deps: RotationDependencies,
  step: RotationStep,
  event: RotationEvent,
): Promise<SigningKeySet> => {
  const { SecretId, ClientRequestToken } = event;
  let pendingJson: unknown;
  try {
    pendingJson = await readStage(deps, step, SecretId, AWSPENDING, ClientRequestToken);
  } catch (error) {
    if (error instanceof SigningKeyRotationError) throw error;
    throw new SigningKeyRotationError(step, 'cannot read the AWSPENDING version', { cause: error });
  }
  try {
    return await parseSigningKeySet(pendingJson, SecretId);
  } catch (error) {
    throw new SigningKeyRotationError(step, 'AWSPENDING is not a valid signing-key set', { cause: error });
  }
};

/**
 * setSecret: publishes the public halves of the pending set (its new current key and the key issuers
 * sign with today, now its previous) to the verification-key secret, before finishSecret lets any
 * issuer sign with the new key. So every verifier that reads the public secret knows a kid before the
 * first token carries it. The version id is the rotation's token: a retried step writes the same
 * string under the same id, which Secrets Manager accepts as a no-op, and a new rotation never reuses
 * an id. The document is built by jwksOf from the validated parse, so it cannot carry `d`.
 */
const setSecret = async (deps: RotationDependencies, event: RotationEvent): Promise<void> => {
  const step = 'setSecret';
  const pending = await readPendingSet(deps, step, event);
  await deps.client.send(
    new PutSecretValueCommand({
      SecretId: deps.verificationSecretId,
      ClientRequestToken: event.ClientRequestToken,
      SecretString: JSON.stringify(jwksOf(pending)),
      // No VersionStages: the new version becomes AWSCURRENT of the public secret at once.
    }),
  );
  deps.log?.('published the public keys of the pending signing-key set', {
    step,
    versionId: event.ClientRequestToken,
    kids: pending.publicJwks.map((jwk) => jwk.kid).join(','),
  });
};

/**
 * The verification secret's AWSCURRENT must hold exactly the pending set's public keys (same kids, same
 * `x`): finishing without them would let issuers sign tokens that no verifier can check.
 */
const assertPublished = async (
  deps: RotationDependencies,
  step: RotationStep,
  pending: SigningKeySet,
): Promise<void> => {
  let published: Awaited<ReturnType<typeof parseVerificationKeySet>>;
  try {
    const json = await readStage(deps, step, deps.verificationSecretId, AWSCURRENT);
    published = await parseVerificationKeySet(json, deps.verificationSecretId);
  } catch (error) {
    throw new SigningKeyRotationError(step, 'the verification-key secret does not hold a valid key set', {
      cause: error,
    });
  }
  const canonical = (jwks: readonly { kid: string; x: string }[]): string =>
    JSON.stringify(jwks.map(({ kid, x }) => [kid, x]).sort());
  if (canonical(published.publicJwks) !== canonical(pending.publicJwks)) {
    throw new SigningKeyRotationError(
      step,
      'the verification-key secret does not publish the public keys of AWSPENDING',
    );
  }
};

/**
 * testSecret: the pending set must parse, its current key must sign a token that it verifies, and its
 * previous key must be AWSCURRENT's current key (so tokens signed before the rotation keep verifying),
 * proven by verifying a token signed with AWSCURRENT against the pending set. The verification-key
 * secret must already publish the pending set's public keys (setSecret ran).
 */
const testSecret = async (deps: RotationDependencies, event: RotationEvent): Promise<void> => {
  const step = 'testSecret';
  const { SecretId, ClientRequestToken } = event;
  const pending = await readPendingSet(deps, step, event);
  const currentSet = await readCurrentSet(deps, step, SecretId);

  const settings = accessTokenSettings({ issuer: ROTATION_TEST_ISSUER, audience: ROTATION_TEST_AUDIENCE });
  const newId = (): string => deps.randomHex(16);
  const verifier = createAccessTokenVerifier({ keys: async () => pending, settings, clock: deps.clock });
  const roundTrip = async (signingSet: SigningKeySet, label: string): Promise<void> => {
    const issuer = createAccessTokenIssuer({
      keys: async () => signingSet,
      settings,
      clock: deps.clock,
      newId,
    });
    const { token } = await issuer.issue({
      subject: 'rotation-test',
      // A session id of the real shape (16 random bytes), which the issuer and verifier insist on.
      sessionId: Buffer.from(deps.randomHex(16), 'hex').toString('base64url'),
      username: 'rotation-test',
      roles: [],
    });
    try {
      await verifier.verify(token);
    } catch (error) {
      throw new SigningKeyRotationError(step, `the pending set does not verify a token signed by ${label}`, {
        cause: error,
      });
    }
  };
  await roundTrip(pending, 'its own current key');

  if (currentSet === undefined) {
    if (pending.previous !== undefined) {
      throw new SigningKeyRotationError(
        step,
        'AWSCURRENT is the marker, so AWSPENDING must have no previous',
      );
    }
    await assertPublished(deps, step, pending);
    return;
  }
  if (pending.previous === undefined) {
    throw new SigningKeyRotationError(
      step,
      'AWSPENDING has no previous key but AWSCURRENT has a current key',
    );
  }
  if (
    pending.previous.kid !== currentSet.current.kid ||
    pending.previous.publicJwk.x !== currentSet.current.publicJwk.x
  ) {
    throw new SigningKeyRotationError(step, "AWSPENDING's previous key is not AWSCURRENT's current key");
  }
  await roundTrip(currentSet, "AWSCURRENT's current key");
  await assertPublished(deps, step, pending);
  deps.log?.('the pending signing-key set passed its tests', {
    step,
    versionId: ClientRequestToken,
    kid: pending.current.kid,
  });
};

const currentVersionOf = (metadata: DescribeSecretCommandOutput): string | undefined =>
  Object.entries(metadata.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes(AWSCURRENT))?.[0];

/** finishSecret: moves AWSCURRENT to the tested version; Secrets Manager moves AWSPREVIOUS itself. */
const finishSecret = async (
  deps: RotationDependencies,
  event: RotationEvent,
  metadata: DescribeSecretCommandOutput,
): Promise<void> => {
  const { SecretId, ClientRequestToken } = event;
  const currentVersion = currentVersionOf(metadata);
  if (currentVersion === ClientRequestToken) return;
  await deps.client.send(
    new UpdateSecretVersionStageCommand({
      SecretId,
      VersionStage: AWSCURRENT,
      MoveToVersionId: ClientRequestToken,
      ...(currentVersion === undefined ? {} : { RemoveFromVersionId: currentVersion }),
    }),
  );
  deps.log?.('moved AWSCURRENT to the new signing-key set', {
    step: 'finishSecret',
    versionId: ClientRequestToken,
    previousVersionId: currentVersion ?? '(none)',
  });
};

/**
 * One step of Secrets Manager's rotation protocol for the access-token signing-key secret (ADR 0011).
 * As in AWS's rotation templates, the secret must have rotation enabled and the token must be a version
 * of it staged AWSPENDING; a version already AWSCURRENT means the rotation finished, so every step is a
 * no-op. Every step is idempotent: Secrets Manager retries failed steps.
 */
export const rotateSigningKeys = async (rawEvent: unknown, deps: RotationDependencies): Promise<void> => {
  const event = parseRotationEvent(rawEvent);
  const { SecretId, ClientRequestToken, Step } = event;
  const metadata = await deps.client.send(new DescribeSecretCommand({ SecretId }));
  if (metadata.RotationEnabled !== true) {
    throw new SigningKeyRotationError(Step, 'rotation is not enabled on the secret');
  }
  const stages = metadata.VersionIdsToStages?.[ClientRequestToken];
  if (stages === undefined) {
    throw new SigningKeyRotationError(Step, 'the ClientRequestToken is not a version of the secret');
  }
  if (stages.includes(AWSCURRENT)) {
    deps.log?.('the version is already AWSCURRENT; nothing to do', {
      step: Step,
      versionId: ClientRequestToken,
    });
    return;
  }
  if (!stages.includes(AWSPENDING)) {
    throw new SigningKeyRotationError(Step, 'the version is not staged AWSPENDING');
  }
  switch (Step) {
    case 'createSecret':
      return createSecret(deps, event);
    case 'setSecret':
      return setSecret(deps, event);
    case 'testSecret':
      return testSecret(deps, event);
    case 'finishSecret':
      return finishSecret(deps, event, metadata);
    default: {
      const unknown: never = Step;
      throw new SigningKeyRotationError('event', `unknown step ${String(unknown)}`);
    }
  }
};
