import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { type CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/adapters/metrics/emf-counters.js';
import type { StageConfig } from '../config.js';
import type { AlarmTopic } from './alarm-topic.js';
import { OperationsFunction } from './operations-function.js';
import {
  grantSecretRead,
  HEALTH_PROBE_FUNCTION_ID,
  registerSecretAccess,
  type SecretAccess,
} from './secret-readers.js';
import { SecretsKey } from './secrets-key.js';

export interface HealthProbeProps {
  readonly config: StageConfig;
  readonly projectRoot: string;
  /** The stage's invoke URL; the probe calls `<url>health/full`. */
  readonly apiUrl: string;
  readonly topic: AlarmTopic;
  /** Encrypts the function's log group (the API's logs key). */
  readonly logEncryptionKey?: IKey;
  readonly deadLetterQueue: IQueue;
  readonly interval?: Duration;
  /**
   * The stage's secret access (the data stack's): the probe's secret is encrypted with its key, the probe's
   * role gets the name the key policy lets decrypt, and only that role (and the stage's break-glass roles)
   * may read the secret. Without it the secret keeps the AWS managed key and IAM alone decides.
   */
  readonly secretAccess?: SecretAccess;
}

/**
 * The authenticated health check of a serverless stage (ADR 0015): EventBridge Scheduler invokes the probe
 * every 5 minutes; it calls `GET /health/full` with a health-role API key kept in its own secret and
 * emits `HealthFullOk` and `HealthFullLatency`, which two alarms watch. Until an operator puts a key in
 * the secret (`bulwark keys create --role health`, runbook), the probe reports not-configured and the
 * `health-full` alarm stays in ALARM: a stage never looks healthy without its probe.
 */
export class HealthProbe extends Construct {
  readonly probe: OperationsFunction;
  readonly secret: Secret;
  readonly schedule: Schedule;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: HealthProbeProps) {
    super(scope, id);
    const { config, topic } = props;
    const name = (suffix: string): string => `bulwark-${config.stageName}-${suffix}`;
    const interval = props.interval ?? Duration.minutes(5);

    this.secret = new Secret(this, 'ApiKey', {
      description: `Bulwark ${config.stageName}: the health probe's health-role API key {"api_key":"key_id:secret"}`,
      removalPolicy: config.removalPolicy,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'uninitialised',
        excludePunctuation: true,
      },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds an API key only Bulwark can issue (its hash lives in the API-key table), so Secrets Manager ' +
        'cannot rotate it; operators rotate it with `bulwark keys rotate` and put-secret-value (runbook ' +
        'docs/runbooks/guardrails.md), and the key carries only the health role.',
    });

    this.probe = new OperationsFunction(this, 'Probe', {
      ...(props.logEncryptionKey === undefined ? {} : { logEncryptionKey: props.logEncryptionKey }),
      description:
        'Calls GET /health/full with a health-role key and emits HealthFullOk and HealthFullLatency',
      entry: 'functions/health-probe/handler.ts',
      projectRoot: props.projectRoot,
      config,
      environment: { HEALTH_PROBE_URL: props.apiUrl, HEALTH_PROBE_SECRET_ARN: this.secret.secretArn },
      timeout: Duration.seconds(30),
      deadLetterQueue: props.deadLetterQueue,
      ...(props.secretAccess === undefined
        ? {}
        : { roleName: props.secretAccess.roleNameOf(HEALTH_PROBE_FUNCTION_ID) }),
    });
    if (props.secretAccess !== undefined) {
      // Under the data stack's secrets key (set on the template, see SecretsKey.encrypt), readable only by
      // the probe's role, whose name the key policy lets decrypt, and the stage's break-glass roles.
      (this.secret.node.defaultChild as CfnSecret).kmsKeyId = props.secretAccess.key.keyArn;
      registerSecretAccess(this.secret, props.secretAccess);
      if (config.secrets.denyUnlistedReaders) {
        SecretsKey.restrictReads(this.secret, [
          this.probe.role.roleArn,
          ...config.secrets.breakGlassRoleArns,
        ]);
      }
    }
    grantSecretRead(this.probe.function, this.secret);

    // Its own role, so the wildcard IAM adds for the function's versions is acknowledged where it is.
    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Lets EventBridge Scheduler invoke the health probe',
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: `Bulwark ${config.stageName}: the authenticated health probe`,
      schedule: ScheduleExpression.rate(interval),
      target: new LambdaInvoke(this.probe.function, {
        role: scheduleRole,
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 0,
        maxEventAge: Duration.minutes(5),
      }),
    });

    const stack = Stack.of(this);
    const functionId = stack.resolve(
      stack.getLogicalId(this.probe.function.node.defaultChild as CfnFunction),
    );
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the probe function and its versions (`<arn>:*`), as the scheduler target ' +
        'grants it; the role can invoke nothing else.',
    });

    const metric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: 'bulwark', probe: 'health-full' },
        statistic,
        period: interval,
      });
    const watch = (alarm: Alarm): Alarm => {
      topic.notify(alarm);
      return alarm;
    };
    this.alarms = [
      watch(
        new Alarm(this, 'Unhealthy', {
          alarmName: name('health-full'),
          alarmDescription:
            'The authenticated health probe failed twice in a row, or did not run: a backend is down, the ' +
            'probe key is missing or revoked, or the API is unreachable. Its log names the reason and the ' +
            'request id. Runbook: docs/runbooks/guardrails.md',
          metric: metric('HealthFullOk', 'Minimum'),
          threshold: 1,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 2,
          datapointsToAlarm: 2,
          treatMissingData: TreatMissingData.BREACHING,
        }),
      ),
      watch(
        new Alarm(this, 'Slow', {
          alarmName: name('health-full-latency'),
          alarmDescription:
            'GET /health/full took over 3 s in 2 of 3 probes: a backend is slow. Runbook: docs/runbooks/guardrails.md',
          metric: metric('HealthFullLatency', 'Maximum'),
          threshold: 3_000,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ),
    ];
  }
}
