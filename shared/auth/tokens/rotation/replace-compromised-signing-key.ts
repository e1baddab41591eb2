import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { jwksOf } from '../jwks.js';
import { generateSigningKey, KID_PATTERN, parseSigningKeySet } from '../signing-key-set.js';
import {
  AWSCURRENT,
  AWSPENDING,
  isUninitialisedMarker,
  newKid,
  type RotationDependencies,
  readStage,
  SigningKeyRotationError,
} from './rotate-signing-keys.js';

/**
 * What an operator sends the rotation function (`aws lambda invoke`) when a signing key has leaked:
 * `{ "emergency": "replace-compromised-key", "compromisedKid": "k-…" }`. The kid must be one the stage
 * uses today, so a typo cannot throw away a healthy key set.
 */
export interface EmergencyReplacementEvent {
  readonly emergency: 'replace-compromised-key';
  readonly compromisedKid: string;
}

/** Secrets Manager's rotation events never carry `emergency`; an operator's invocation always does. */
export const isEmergencyReplacementEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && 'emergency' in event;

export const parseEmergencyReplacementEvent = (event: unknown): EmergencyReplacementEvent => {
  const { emergency, compromisedKid } = event as Record<string, unknown>;
  if (emergency !== 'replace-compromised-key') {
    throw new SigningKeyRotationError('event', 'emergency must be "replace-compromised-key"');
  }
  if (typeof compromisedKid !== 'string' || !KID_PATTERN.test(compromisedKid)) {
    throw new SigningKeyRotationError(
      'event',
      'compromisedKid must be a kid of 8-64 characters A-Z a-z 0-9 . _ -',
    );
  }
  return { emergency, compromisedKid };
};

export interface EmergencyReplacementDependencies extends RotationDependencies {
  readonly signingSecretId: string;
  /** A fresh version id (UUID) per write; the rotation protocol's tokens are Secrets Manager's. */
  readonly newVersionId: () => string;
}

export interface EmergencyReplacementResult {
  /** The key issuers sign with from now on. */
  readonly currentKid: string;
  /** Every kid verifiers accept from now on: never the compromised one. */
  readonly publishedKids: readonly string[];
  /** The version of a rotation that was in flight and has been cancelled, if any. */
  readonly cancelledPendingVersionId: string | undefined;
}

const currentJsonOf = (value: unknown): { current: unknown; previous?: { kid?: unknown } } =>
  value as { current: unknown; previous?: { kid?: unknown } };

/**
 * The emergency path of ADR 0011: takes a leaked key out of verification instead of letting tokens it
 * signs (forged or not) verify until a rotation drops it. Unlike a rotation there is no overlap:
 * - the compromised key is the current one: a fresh key and no previous key, so every access token
 *   issued before now fails with 401 and clients refresh (refresh tokens are opaque DynamoDB records,
 *   not signed with the key), or log in again;
 * - the compromised key is the previous one: the set keeps its current key and drops the previous.
 * Order: a rotation in flight is cancelled first (its AWSPENDING label removed, so its later steps fail
 * instead of re-publishing the leaked key); then the public set is written, then the signing set. Between
 * the last two writes issuers may sign with the old key for a moment; those tokens fail like every other
 * old one. Verifiers drop the key when their cached public set expires (SECRETS_CACHE_TTL_SECONDS), and
 * read the new key at once on its first token (an unknown kid re-reads the set past the cache).
 */
export const replaceCompromisedSigningKey = async (
  rawEvent: unknown,
  deps: EmergencyReplacementDependencies,
): Promise<EmergencyReplacementResult> => {
  const { compromisedKid } = parseEmergencyReplacementEvent(rawEvent);
  const step = 'emergency';
  const SecretId = deps.signingSecretId;
  const currentJson = await readStage(deps, step, SecretId, AWSCURRENT);
  if (isUninitialisedMarker(currentJson)) {
    throw new SigningKeyRotationError(step, 'the signing secret holds no key yet; nothing to replace');
  }
  // Validates the stored set before anything is written; its raw JSON is reused (keys are not extractable).
  const currentSet = await parseSigningKeySet(currentJson, SecretId);
  const raw = currentJsonOf(currentJson);
  let nextJson: { current: unknown };
  if (currentSet.current.kid === compromisedKid) {
    nextJson = { current: await generateSigningKey(newKid(deps)) };
  } else if (currentSet.previous?.kid === compromisedKid) {
    nextJson = { current: raw.current };
  } else {
    throw new SigningKeyRotationError(
      step,
      `${compromisedKid} is not a key of this stage (current ${currentSet.current.kid}, previous ${
        currentSet.previous?.kid ?? 'none'
      }); nothing was changed`,
    );
  }
  const nextSet = await parseSigningKeySet(nextJson, SecretId);

  const metadata = await deps.client.send(new DescribeSecretCommand({ SecretId }));
  const pendingVersionId = Object.entries(metadata.VersionIdsToStages ?? {}).find(
    ([, stages]) => stages.includes(AWSPENDING) && !stages.includes(AWSCURRENT),
  )?.[0];
  if (pendingVersionId !== undefined) {
    await deps.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId,
        VersionStage: AWSPENDING,
        RemoveFromVersionId: pendingVersionId,
      }),
    );
  }
  await deps.client.send(
    new PutSecretValueCommand({
      SecretId: deps.verificationSecretId,
      ClientRequestToken: deps.newVersionId(),
      SecretString: JSON.stringify(jwksOf(nextSet)),
    }),
  );
  await deps.client.send(
    new PutSecretValueCommand({
      SecretId,
      ClientRequestToken: deps.newVersionId(),
      SecretString: JSON.stringify(nextJson),
      VersionStages: [AWSCURRENT],
    }),
  );
  const result: EmergencyReplacementResult = {
    currentKid: nextSet.current.kid,
    publishedKids: nextSet.publicJwks.map((jwk) => jwk.kid),
    cancelledPendingVersionId: pendingVersionId,
  };
  deps.log?.('replaced a compromised signing key', {
    step,
    compromisedKid,
    currentKid: result.currentKid,
    publishedKids: result.publishedKids.join(','),
    cancelledPendingVersionId: pendingVersionId ?? '(none)',
  });
  return result;
};
