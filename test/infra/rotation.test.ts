/**
 * The signing-key rotation in the data stack: the schedule on the signing secret, the function's
 * least-privilege role (rotation on the signing secret, publication on the verification secret), the
 * interval bound against token lifetime + secret cache TTL, and cdk-nag.
 */
import { readFileSync } from 'node:fs';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type StageName, stageConfig, stageNames } from '../../infra/config.js';
import {
  minimumRotationInterval,
  PUBLISH_ACTIONS,
  ROTATION_ACTIONS,
  ROTATION_KEY_ACTIONS,
  SIGNING_KEY_ROTATION_INTERVAL,
  SigningKeyRotation,
} from '../../infra/constructs/signing-key-rotation.js';
import { DataStack, secretLogicalId } from '../../infra/stacks/data-stack.js';
import { LIFETIME_SECONDS_MAX } from '../../shared/auth/tokens/access-token-settings.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

type Json = Record<string, unknown>;
interface CfnResourceJson {
  Type: string;
  Properties?: Json;
  DependsOn?: string[];
}

const newApp = (): App =>
  new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false } });

const build = (stage: StageName): { stack: DataStack; template: Template } => {
  const app = newApp();
  const stack = new DataStack(app, `Bulwark-${stage}-Data`, {
    config: stageConfig(stage),
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  // The Serverless pack too: infra/app.ts scopes it to the API stack today and means to widen it.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks());
  // Throws on any unacknowledged cdk-nag finding.
  return { stack, template: Template.fromStack(stack) };
};

const signingSecretRef = { Ref: secretLogicalId('jwtSigningKeys') };
const verificationSecretRef = { Ref: secretLogicalId('jwtVerificationKeys') };

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

describe.each(stageNames)('signing-key rotation (%s)', (stage) => {
  let stack: DataStack;
  let template: Template;
  let functionLogicalId: string;
  let roleLogicalId: string;
  beforeAll(() => {
    ({ stack, template } = build(stage));
    functionLogicalId = stack.getLogicalId(stack.signingKeyRotation.function.node.defaultChild as never);
    roleLogicalId = stack.getLogicalId(stack.signingKeyRotation.role.node.defaultChild as never);
  });

  it('is cdk-nag clean (AwsSolutions and Serverless) with no error or warning annotations', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges SMG4 only on the pepper and on the verification secret the rotation writes', () => {
    const acknowledged = (scope: IConstruct): string[] =>
      scope.node
        .findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => JSON.stringify(entry.data).match(/AwsSolutions-SMG4/g) ?? []);
    // The signing secret passes SMG4 on its own merits: it has a rotation schedule.
    expect(acknowledged(stack.secrets.jwtSigningKeys)).toEqual([]);
    expect(acknowledged(stack.secrets.apiKeyPepper).length).toBeGreaterThan(0);
    expect(acknowledged(stack.secrets.jwtVerificationKeys).length).toBeGreaterThan(0);
  });

  it('schedules the rotation on the signing secret only (not the verification secret), with the function and the interval', () => {
    const schedules = Object.values(
      template.findResources('AWS::SecretsManager::RotationSchedule'),
    ) as CfnResourceJson[];
    expect(schedules).toHaveLength(1);
    const properties = schedules[0]?.Properties ?? {};
    expect(properties.SecretId).toEqual(signingSecretRef);
    expect(properties.RotationLambdaARN).toEqual({ 'Fn::GetAtt': [functionLogicalId, 'Arn'] });
    expect(properties.RotateImmediatelyOnUpdate).toBe(true);
    const rules = properties.RotationRules as Json;
    expect(rules.ScheduleExpression ?? `rate(${String(rules.AutomaticallyAfterDays)} days)`).toBe(
      `rate(${SIGNING_KEY_ROTATION_INTERVAL.toDays()} days)`,
    );
    // The first rotation runs on creation: the role's policy must exist by then.
    expect(JSON.stringify(schedules[0]?.DependsOn ?? [])).toMatch(/Policy/);
  });

  it("lets only this account's Secrets Manager invoke the function", () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      Action: 'lambda:InvokeFunction',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('tells the function where to publish the public keys, which secret an emergency replaces, and the stage environment it parses', () => {
    const fn = template.toJSON().Resources[functionLogicalId] as CfnResourceJson;
    const environment = fn.Properties?.Environment as { Variables?: Json } | undefined;
    const variables = environment?.Variables ?? {};
    expect(variables.JWT_VERIFICATION_KEYS_SECRET_ARN).toEqual(verificationSecretRef);
    expect(variables.ENVIRONMENT).toBe(stageConfig(stage).runtime.environment);
    // Secrets Manager's events name the signing secret; an operator's emergency event does not.
    expect(variables.JWT_SIGNING_SECRET_ARN).toEqual(signingSecretRef);
  });

  it('outputs the function name the signing-key compromise runbook invokes', () => {
    const outputs = Object.values(template.toJSON().Outputs ?? {}) as {
      Value?: unknown;
      Description?: string;
    }[];
    const output = outputs.find((candidate) =>
      String(candidate.Description).includes('replace-compromised-key'),
    );
    expect(output?.Value).toEqual({ Ref: functionLogicalId });
  });

  it('runs Node 24 on arm64 with its own log group and role', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Role: { 'Fn::GetAtt': [roleLogicalId, 'Arn'] },
      LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
    });
  });

  it('gives the role the four rotation actions on the signing secret, read and put on the verification secret, and writing to its log group', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as CfnResourceJson[];
    const onRole = policies.filter((policy) =>
      JSON.stringify(policy.Properties?.Roles ?? []).includes(`"${roleLogicalId}"`),
    );
    expect(onRole).toHaveLength(1);
    const statements = asArray(
      (onRole[0]?.Properties?.PolicyDocument as { Statement?: Json | Json[] } | undefined)?.Statement,
    );
    const actionsOf = (statement: Json): string[] => asArray(statement.Action as string | string[]);
    const secretStatements = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
    );
    expect(secretStatements).toHaveLength(2);
    const onSecret = (ref: Json): Json[] =>
      secretStatements.filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(ref));
    const [rotation] = onSecret(signingSecretRef);
    const [publication] = onSecret(verificationSecretRef);
    expect(rotation?.Effect).toBe('Allow');
    expect([...actionsOf(rotation ?? {})].sort()).toEqual([...ROTATION_ACTIONS].sort());
    expect(publication?.Effect).toBe('Allow');
    expect([...actionsOf(publication ?? {})].sort()).toEqual([...PUBLISH_ACTIONS].sort());
    // The secrets key: decrypt and write, through Secrets Manager, for these two secrets only.
    const keyStatements = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );
    expect(keyStatements.map(actionsOf)).toEqual([[...ROTATION_KEY_ACTIONS]]);
    expect(JSON.stringify(keyStatements[0]?.Condition)).toBe(
      JSON.stringify({
        StringEquals: {
          'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com',
          'kms:EncryptionContext:SecretARN': [signingSecretRef, verificationSecretRef],
        },
      }),
    );
    const logStatements = statements.filter(
      (statement) => !secretStatements.includes(statement) && !keyStatements.includes(statement),
    );
    expect(logStatements.flatMap(actionsOf).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(statements)).not.toMatch(/"\*"|GetRandomPassword/);

    // No other policy, managed or inline, reaches the role.
    const role = template.toJSON().Resources[roleLogicalId] as CfnResourceJson;
    expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties?.Policies).toBeUndefined();
  });
});

describe('the rotation interval', () => {
  it.each(stageNames)(
    'exceeds the longest access-token lifetime plus the secret cache TTL by a wide margin (%s)',
    (stage) => {
      const { secretsCacheTtlSeconds } = stageConfig(stage).runtime;
      const floorSeconds = LIFETIME_SECONDS_MAX + secretsCacheTtlSeconds;
      expect(LIFETIME_SECONDS_MAX).toBe(3600);
      expect(minimumRotationInterval(secretsCacheTtlSeconds).toSeconds()).toBeGreaterThanOrEqual(
        10 * floorSeconds,
      );
      expect(SIGNING_KEY_ROTATION_INTERVAL.toSeconds()).toBeGreaterThanOrEqual(
        minimumRotationInterval(secretsCacheTtlSeconds).toSeconds(),
      );
      expect(SIGNING_KEY_ROTATION_INTERVAL.toSeconds()).toBeGreaterThan(100 * floorSeconds);
    },
  );

  it('is enforced by the construct, which refuses a too-short interval', () => {
    const app = newApp();
    const stack = new Stack(app, 'TooShort', { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(
      () =>
        new SigningKeyRotation(stack, 'Rotation', {
          secret: new Secret(stack, 'Secret'),
          verificationSecret: new Secret(stack, 'VerificationSecret'),
          config: stageConfig('dev'),
          projectRoot: '/nonexistent',
          rotationInterval: Duration.hours(12),
        }),
    ).toThrow(/must be at least 24 x \(access-token lifetime max 3600 s \+ secret cache TTL 300 s\)/);
  });
});
