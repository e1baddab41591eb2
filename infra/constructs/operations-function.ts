import { Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { runtimeEnvironment, type StageConfig, tracingOffReason } from '../config.js';
import { bulwarkModule } from './bulwark-module.js';
import { esmBundling } from './esm-bundling.js';

export interface OperationsFunctionProps {
  readonly description: string;
  /** Bulwark's handler module, relative to Bulwark's package (`functions/<id>/handler.ts`). */
  readonly entry: string;
  /** The app's root (its package-lock.json); see bulwarkModule. */
  readonly projectRoot: string;
  readonly config: StageConfig;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  /** Where failed asynchronous invocations go after Lambda's retries. */
  readonly deadLetterQueue: IQueue;
  /** Encrypts the function's log group, like every log group of the API. */
  readonly logEncryptionKey?: IKey;
  /** A fixed role name, for a role a key or secret policy names before it exists (ADR 0018). */
  readonly roleName?: string;
}

/**
 * A function that is not an HTTP route (the health probe, the guard-rail forwarder): invoked
 * asynchronously, so failed invocations go to a dead-letter queue; its own log group and a role that only
 * writes there plus what its construct grants. Bundled like every route function.
 */
export class OperationsFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: OperationsFunctionProps) {
    super(scope, id);
    const { config } = props;
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
      ...(props.logEncryptionKey === undefined ? {} : { encryptionKey: props.logEncryptionKey }),
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
      ...(props.roleName === undefined ? {} : { roleName: props.roleName }),
    });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      ...bulwarkModule(props.projectRoot, props.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: config.tracingEnabled ? Tracing.ACTIVE : Tracing.DISABLED,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        ...runtimeEnvironment(config.runtime),
        ...props.environment,
      },
      bundling: esmBundling,
    });
    if (config.tracingEnabled) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
          'resource-level permissions; every other statement of this role names its log group, queue, bus or secret.',
      });
    } else {
      Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaTracing', reason: tracingOffReason });
    }
  }
}

/** An encrypted dead-letter queue that refuses plain HTTP, kept for 14 days. */
export const deadLetterQueue = (scope: Construct, id: string): Queue => {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const reason =
    'This queue is itself the dead-letter queue of its construct (nothing is redriven into ' +
    'another queue); its depth is alarmed and operators read or purge it (docs/runbooks/guardrails.md).';
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
  return queue;
};
