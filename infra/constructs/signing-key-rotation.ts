import { Aws, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, CfnPermission, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RotationSchedule, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LIFETIME_SECONDS_MAX } from '../../shared/auth/tokens/access-token-settings.js';
import { secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { runtimeEnvironment, type StageConfig } from '../config.js';
import { bulwarkModule } from './bulwark-module.js';
import { esmBundling } from './esm-bundling.js';

/** How often Secrets Manager rotates the signing key (ADR 0011). */
export const SIGNING_KEY_ROTATION_INTERVAL: Duration = Duration.days(30);

/**
 * The interval must be at least this many times (longest access-token lifetime + secret cache TTL):
 * a token signed just before a rotation must expire, and every instance must have re-read the secret,
 * long before a second rotation drops its key. The factor covers the stale-on-failure cache serving an
 * old set through a Secrets Manager outage and an operator's extra `rotate-secret` inside one interval.
 */
export const ROTATION_MARGIN_FACTOR = 24;

/** The actions the rotation protocol needs, all on the signing secret. */
export const ROTATION_ACTIONS: readonly string[] = Object.freeze([
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
]);

/**
 * The actions on the verification secret: setSecret writes the public keys (PutSecretValue moves
 * AWSCURRENT itself, so no stage action is needed) and testSecret reads them back.
 */
export const PUBLISH_ACTIONS: readonly string[] = Object.freeze([
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
]);

/** The key actions of reading (Decrypt) and writing (GenerateDataKey) the two secrets through Secrets Manager. */
export const ROTATION_KEY_ACTIONS: readonly string[] = Object.freeze(['kms:Decrypt', 'kms:GenerateDataKey']);

/** The shortest interval allowed for a given secret cache TTL; the lifetime bound is the settings' max. */
export const minimumRotationInterval = (secretsCacheTtlSeconds: number): Duration =>
  Duration.seconds(ROTATION_MARGIN_FACTOR * (LIFETIME_SECONDS_MAX + secretsCacheTtlSeconds));

export interface SigningKeyRotationProps {
  /** The signing-key secret; it must be created in the same stack. */
  readonly secret: Secret;
  /**
   * The verification-key secret (public keys only) that the rotation keeps in step with the signing
   * secret; it has no schedule of its own.
   */
  readonly verificationSecret: Secret;
  readonly config: StageConfig;
  /** Repository root holding functions/ and package-lock.json. */
  readonly projectRoot: string;
  readonly rotationInterval?: Duration;
  /**
   * The customer managed key of both secrets: the role may decrypt (read) and generate data keys (write)
   * with it, through Secrets Manager and for these two secrets only. The key policy names the role too.
   */
  readonly encryptionKey?: IKey;
}

/**
 * The rotation function of the access-token signing-key secret and its schedule. The first rotation runs
 * when the schedule is created (on deploy) and replaces the data stack's uninitialised marker with a key.
 * Each rotation also publishes the new set's public keys to the verification secret (ADR 0011).
 */
export class SigningKeyRotation extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly schedule: RotationSchedule;
  readonly rotationInterval: Duration;

  constructor(scope: Construct, id: string, props: SigningKeyRotationProps) {
    super(scope, id);
    const { config, secret, verificationSecret } = props;
    const interval = props.rotationInterval ?? SIGNING_KEY_ROTATION_INTERVAL;
    const minimum = minimumRotationInterval(config.runtime.secretsCacheTtlSeconds);
    if (interval.toSeconds() < minimum.toSeconds()) {
      throw new TypeError(
        `The signing-key rotation interval (${interval.toSeconds()} s) must be at least ` +
          `${ROTATION_MARGIN_FACTOR} x (access-token lifetime max ${LIFETIME_SECONDS_MAX} s + secret cache TTL ` +
          `${config.runtime.secretsCacheTtlSeconds} s) = ${minimum.toSeconds()} s`,
      );
    }
    this.rotationInterval = interval;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Execution role of the signing-key rotation function',
    });
    // The whole policy is written here. The function gets the role without policy updates, because
    // addRotationSchedule() would otherwise add secretsmanager:GetRandomPassword on "*" (a key pair is
    // generated in the function, not by Secrets Manager) and duplicate the four actions below.
    const policy = new Policy(this, 'Policy', {
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...ROTATION_ACTIONS],
          resources: [secret.secretArn],
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...PUBLISH_ACTIONS],
          resources: [verificationSecret.secretArn],
        }),
        ...(props.encryptionKey === undefined
          ? []
          : [
              new PolicyStatement({
                effect: Effect.ALLOW,
                actions: [...ROTATION_KEY_ACTIONS],
                resources: [props.encryptionKey.keyArn],
                conditions: {
                  StringEquals: {
                    'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
                    'kms:EncryptionContext:SecretARN': [secret.secretArn, verificationSecret.secretArn],
                  },
                },
              }),
            ]),
        // What LogGroup.grantWrite grants, on the function's own log group only.
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    policy.attachToRole(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      description: 'Rotates the access-token signing keys (Secrets Manager rotation steps)',
      ...bulwarkModule(props.projectRoot, 'functions/rotate-signing-keys/handler.ts'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      role: this.role.withoutPolicyUpdates(),
      logGroup: this.logGroup,
      // No tracing: the role carries exactly the statements above, and nothing waits on this function.
      tracing: Tracing.DISABLED,
      // The runtime settings every function gets (the handler parses them with the same code, and
      // production refuses unsafe ones there too), plus where to publish the public keys.
      environment: {
        ...runtimeEnvironment(config.runtime),
        [secretDefinitions.jwtVerificationKeys.environmentVariable]: verificationSecret.secretArn,
        // The emergency replacement (an operator's invocation) names no secret in its event.
        [secretDefinitions.jwtSigningKeys.environmentVariable]: secret.secretArn,
      },
      bundling: esmBundling,
    });
    this.function.node.addDependency(policy);
    // What the signing-key compromise runbook invokes (docs/runbooks/auth.md).
    new CfnOutput(this, 'FunctionName', {
      value: this.function.functionName,
      description:
        'Signing-key rotation function; invoke with {"emergency":"replace-compromised-key","compromisedKid":"…"} ' +
        'to take a leaked key out of verification',
    });
    // For the Serverless nag pack (scoped to the API stack today, meant to cover the app later).
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Secrets Manager invokes this function synchronously, once per rotation step, and operators invoke ' +
        'it synchronously for an emergency key replacement; a dead-letter queue only receives failed ' +
        'asynchronous invocations, so it would stay empty. A failed step leaves AWSCURRENT untouched, is ' +
        'retried by Secrets Manager (or answered to the operator), and is logged with its step name.',
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason:
        'Four invocations every 30 days with no downstream service besides Secrets Manager; each step logs ' +
        'its outcome. Tracing would add xray actions on "*" to a role that otherwise names one secret.',
    });

    this.schedule = secret.addRotationSchedule('Rotation', {
      rotationLambda: this.function,
      automaticallyAfter: interval,
      rotateImmediatelyOnUpdate: true,
    });
    // The first rotation runs as soon as the schedule exists: the role must already hold its policy.
    this.schedule.node.addDependency(policy);
    // Only this account's Secrets Manager may invoke the function (confused deputy, ADR 0018): CDK's
    // permission names the service principal alone.
    const invokePermissions = this.function.node
      .findAll()
      .filter((child): child is CfnPermission => child instanceof CfnPermission)
      .filter((permission) => permission.principal === 'secretsmanager.amazonaws.com');
    if (invokePermissions.length !== 1) {
      throw new TypeError('SigningKeyRotation: expected one Secrets Manager invoke permission');
    }
    for (const permission of invokePermissions) permission.sourceAccount = Aws.ACCOUNT_ID;
  }
}
