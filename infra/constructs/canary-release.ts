import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarm, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import {
  type ILambdaApplication,
  type ILambdaDeploymentConfig,
  LambdaDeploymentConfig,
  LambdaDeploymentGroup,
} from 'aws-cdk-lib/aws-codedeploy';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Alias, type IFunction, type Version } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { OperationsSettings } from '../config.js';
import type { AlarmTopic } from './alarm-topic.js';

/** The alias API Gateway invokes; CodeDeploy shifts it from the old version to the new one. */
export const liveAliasName = 'live';

export interface CanaryReleaseProps {
  /** Route id, used in alarm names. */
  readonly routeId: string;
  readonly stageName: string;
  readonly function: IFunction;
  /** The function's current version (NodejsFunction.currentVersion): a new one per code or config change. */
  readonly version: Version;
  readonly application: ILambdaApplication;
  /** Shared CodeDeploy service role of the stack. */
  readonly role: IRole;
  /** Stack-wide alarms that also stop and roll back this function's deployment. */
  readonly sharedAlarms: readonly IAlarm[];
  readonly alarms: OperationsSettings['alarms'];
  readonly topic: AlarmTopic;
  readonly deploymentConfig?: ILambdaDeploymentConfig;
  /** Alarms neither stop nor roll back this deployment (an emergency release; see CanaryReleasesProps). */
  readonly ignoreAlarms?: boolean;
}

/**
 * Publishes a function behind the `live` alias and releases every new version as a CodeDeploy canary: 10%
 * of traffic for 5 minutes, then all of it. Its own Errors and Throttles alarms plus the stack-wide ones
 * stop the deployment and move the alias back to the previous version.
 */
export class CanaryRelease extends Construct {
  readonly alias: Alias;
  readonly errorsAlarm: Alarm;
  readonly throttlesAlarm: Alarm;
  readonly deploymentGroup: LambdaDeploymentGroup;

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    const name = (suffix: string): string => `bulwark-${props.stageName}-${props.routeId}-${suffix}`;
    this.alias = new Alias(this, 'Alias', { aliasName: liveAliasName, version: props.version });

    // Function-wide metrics (all versions): during a canary they include the new version's 10%.
    const oneMinute = Duration.minutes(1);
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmName: name('errors'),
      alarmDescription: `Unhandled errors of the ${props.routeId} function (Lambda Errors).`,
      metric: props.function.metricErrors({ period: oneMinute, statistic: 'Sum' }),
      threshold: props.alarms.functionErrorsPerMinute,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.throttlesAlarm = new Alarm(this, 'ThrottlesAlarm', {
      alarmName: name('throttles'),
      alarmDescription: `Throttled invocations of the ${props.routeId} function (Lambda Throttles).`,
      metric: props.function.metricThrottles({ period: oneMinute, statistic: 'Sum' }),
      threshold: props.alarms.functionThrottlesPerMinute,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    props.topic.notify(this.errorsAlarm);
    props.topic.notify(this.throttlesAlarm);

    this.deploymentGroup = new LambdaDeploymentGroup(this, 'Deployment', {
      application: props.application,
      alias: this.alias,
      role: props.role,
      deploymentConfig: props.deploymentConfig ?? LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      alarms: [this.errorsAlarm, this.throttlesAlarm, ...props.sharedAlarms],
      autoRollback: {
        failedDeployment: true,
        stoppedDeployment: true,
        deploymentInAlarm: props.ignoreAlarms !== true,
      },
      ignoreAlarmConfiguration: props.ignoreAlarms === true,
    });
  }
}
