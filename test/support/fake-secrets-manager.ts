/**
 * A stateful Secrets Manager for rotation tests, behind aws-sdk-client-mock: versions with values and
 * staging labels, the rules the rotation relies on, and nothing else.
 * - PutSecretValue with an existing version id is a no-op when the value is the same and fails with
 *   ResourceExistsException when it differs; without VersionStages the version becomes AWSCURRENT.
 * - Moving AWSCURRENT moves AWSPREVIOUS to the version that held it.
 * - UpdateSecretVersionStage refuses a RemoveFromVersionId that does not hold the label.
 * - startRotation(token) creates the AWSPENDING version without a value, as RotateSecret does before it
 *   invokes createSecret.
 * `failNext(command)` makes the next call of that command fail, as a timeout or throttle would.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

interface Version {
  value: string | undefined;
  readonly stages: Set<string>;
}

type FailingCommand = 'PutSecretValue' | 'UpdateSecretVersionStage' | 'GetSecretValue';

export interface FakeSecretsManager {
  readonly client: SecretsManagerClient;
  /** A secret whose AWSCURRENT holds `value` (version id `initial-<id>`), rotation enabled or not. */
  readonly create: (
    secretId: string,
    value: unknown,
    options?: { readonly rotationEnabled?: boolean },
  ) => void;
  readonly startRotation: (secretId: string, token: string) => void;
  /** The parsed value of the version holding `stage`, or undefined when no version holds it. */
  readonly valueAt: (secretId: string, stage: string) => unknown;
  /** Version ids that hold a value. */
  readonly versionIds: (secretId: string) => string[];
  readonly failNext: (command: FailingCommand) => void;
  readonly restore: () => void;
}

const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: {} });

export const fakeSecretsManager = (): FakeSecretsManager => {
  const mock = mockClient(SecretsManagerClient);
  const secrets = new Map<string, { rotationEnabled: boolean; versions: Map<string, Version> }>();
  const failing = new Set<FailingCommand>();

  const secretOf = (secretId: string | undefined) => {
    const secret = secrets.get(String(secretId));
    if (secret === undefined) throw notFound(`no secret ${String(secretId)}`);
    return secret;
  };
  const failIfAsked = (command: FailingCommand): void => {
    if (failing.delete(command)) throw new Error(`injected failure of ${command}`);
  };
  const holderOf = (versions: Map<string, Version>, stage: string): [string, Version] | undefined =>
    [...versions.entries()].find(([, version]) => version.stages.has(stage));
  const moveStage = (versions: Map<string, Version>, stage: string, to: string): void => {
    const holder = holderOf(versions, stage);
    if (holder !== undefined && holder[0] === to) return;
    holder?.[1].stages.delete(stage);
    versions.get(to)?.stages.add(stage);
    if (stage === 'AWSCURRENT' && holder !== undefined) moveStage(versions, 'AWSPREVIOUS', holder[0]);
  };

  mock.on(DescribeSecretCommand).callsFake((input: { SecretId?: string }) => {
    const secret = secretOf(input.SecretId);
    const stages = Object.fromEntries(
      [...secret.versions.entries()]
        .filter(([, version]) => version.stages.size > 0)
        .map(([id, version]) => [id, [...version.stages]]),
    );
    return { ARN: input.SecretId, RotationEnabled: secret.rotationEnabled, VersionIdsToStages: stages };
  });

  mock
    .on(GetSecretValueCommand)
    .callsFake((input: { SecretId?: string; VersionId?: string; VersionStage?: string }) => {
      failIfAsked('GetSecretValue');
      const { versions } = secretOf(input.SecretId);
      let found: [string, Version] | undefined;
      if (input.VersionId === undefined) found = holderOf(versions, input.VersionStage ?? 'AWSCURRENT');
      else {
        const version = versions.get(input.VersionId);
        found = version === undefined ? undefined : [input.VersionId, version];
      }
      if (found === undefined || found[1].value === undefined) throw notFound('no such version');
      if (input.VersionStage !== undefined && !found[1].stages.has(input.VersionStage)) {
        throw notFound('the version lacks the stage');
      }
      return { SecretString: found[1].value, VersionId: found[0], VersionStages: [...found[1].stages] };
    });

  mock
    .on(PutSecretValueCommand)
    .callsFake(
      (input: {
        SecretId?: string;
        ClientRequestToken?: string;
        SecretString?: string;
        VersionStages?: string[];
      }) => {
        failIfAsked('PutSecretValue');
        const { versions } = secretOf(input.SecretId);
        const id = String(input.ClientRequestToken);
        const existing = versions.get(id);
        if (existing?.value !== undefined) {
          if (existing.value === input.SecretString) return { VersionId: id };
          throw new ResourceExistsException({
            message: 'the version exists with another value',
            $metadata: {},
          });
        }
        if (existing === undefined) versions.set(id, { value: input.SecretString, stages: new Set() });
        else existing.value = input.SecretString;
        for (const stage of input.VersionStages ?? ['AWSCURRENT']) moveStage(versions, stage, id);
        return { VersionId: id };
      },
    );

  mock
    .on(UpdateSecretVersionStageCommand)
    .callsFake(
      (input: {
        SecretId?: string;
        VersionStage?: string;
        MoveToVersionId?: string;
        RemoveFromVersionId?: string;
      }) => {
        failIfAsked('UpdateSecretVersionStage');
        const { versions } = secretOf(input.SecretId);
        const stage = String(input.VersionStage);
        const holder = holderOf(versions, stage);
        if (
          holder !== undefined &&
          holder[0] !== input.RemoveFromVersionId &&
          holder[0] !== input.MoveToVersionId
        ) {
          throw new InvalidRequestException({
            message: 'the label is attached to another version',
            $metadata: {},
          });
        }
        moveStage(versions, stage, String(input.MoveToVersionId));
        return {};
      },
    );

  return {
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    create: (secretId, value, options = {}) => {
      secrets.set(secretId, {
        rotationEnabled: options.rotationEnabled ?? false,
        versions: new Map([['initial', { value: JSON.stringify(value), stages: new Set(['AWSCURRENT']) }]]),
      });
    },
    startRotation: (secretId, token) => {
      const { versions } = secretOf(secretId);
      holderOf(versions, 'AWSPENDING')?.[1].stages.delete('AWSPENDING');
      versions.set(token, { value: undefined, stages: new Set(['AWSPENDING']) });
    },
    valueAt: (secretId, stage) => {
      const holder = holderOf(secretOf(secretId).versions, stage);
      return holder?.[1].value === undefined ? undefined : (JSON.parse(holder[1].value) as unknown);
    },
    versionIds: (secretId) =>
      [...secretOf(secretId).versions.entries()].filter(([, v]) => v.value !== undefined).map(([id]) => id),
    failNext: (command) => {
      failing.add(command);
    },
    restore: () => mock.restore(),
  };
};
