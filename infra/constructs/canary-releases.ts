import { Validations } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type ILambdaDeploymentConfig, LambdaApplication } from 'aws-cdk-lib/aws-codedeploy';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { OperationsSettings } from '../config.js';
import type { AlarmTopic } from './alarm-topic.js';
import { CanaryRelease } from './canary-release.js';
import { logicalIdOf, type PreTrafficHook } from './pre-traffic-hook.js';
import type { RouteFunction } from './route-function.js';

export interface CanaryReleasesProps {
  readonly stageName: string;
  /** Thresholds of each function's own Errors and Throttles alarms. */
  readonly alarms: OperationsSettings['alarms'];
  /** Every function's own alarms notify it. */
  readonly topic: AlarmTopic;
  /** How traffic moves to a new version; CanaryRelease's default (10% for 5 minutes) when absent. */
  readonly deploymentConfig?: ILambdaDeploymentConfig;
  /**
   * An emergency release: alarms neither hold nor roll back new versions (they may already be firing for
   * the incident the release fixes). Only with an all-at-once deployment config.
   */
  readonly ignoreAlarms?: boolean;
}

/**
 * Releases functions as CodeDeploy canaries. One CodeDeploy application and one service role serve every
 * function's deployment group. release() puts a function behind its `live` alias with its own alarms
 * (CanaryRelease); rollBackOn() adds alarms that stop and roll back every release, made before or after.
 */
export class CanaryReleases extends Construct {
  readonly application: LambdaApplication;
  readonly role: Role;
  private readonly props: CanaryReleasesProps;
  private readonly byRouteId = new Map<string, CanaryRelease>();
  private readonly sharedAlarms: IAlarm[] = [];
  private preTrafficHook: PreTrafficHook | undefined;

  constructor(scope: Construct, id: string, props: CanaryReleasesProps) {
    super(scope, id);
    this.props = props;
    // The construct's default child: the application's logical id derives from this construct's id alone.
    this.application = new LambdaApplication(this, 'Default');
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
      description: 'CodeDeploy shifts the live aliases of the Bulwark functions and reads their alarms',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        'LambdaDeploymentGroup always attaches this AWS-managed policy to its role. It is the "Limited" ' +
        'variant: alias reads and updates and alarm reads (on any resource, as CodeDeploy needs), S3 reads ' +
        'only of CodeDeploy objects, invocation only of CodeDeployHook_* functions, no sns:Publish. Only ' +
        "CodeDeploy can assume the role, and it serves this stack's deployment groups only.",
    });
  }

  /** Every release so far, keyed by route id. */
  get releases(): ReadonlyMap<string, CanaryRelease> {
    return this.byRouteId;
  }

  /** Releases made without the pre-traffic hook (`beforeTraffic: false`). */
  private readonly untried = new Set<string>();

  /**
   * Publishes the function behind its `live` alias, released as a canary. The release is created inside the
   * function's construct (`<function>/Release`): alias, alarms and deployment group belong to the function.
   */
  release(
    routeId: string,
    fn: RouteFunction,
    options: {
      /**
       * `false`: no pre-traffic hook (its probe is a REST request; a function without a probe would fail
       * every deployment). The realtime gateway's functions take WebSocket and stream events.
       */
      readonly beforeTraffic?: boolean;
    } = {},
  ): CanaryRelease {
    if (this.byRouteId.has(routeId))
      throw new TypeError(`CanaryReleases: route "${routeId}" is released twice`);
    const { stageName, alarms, topic, deploymentConfig, ignoreAlarms } = this.props;
    const release = new CanaryRelease(fn, 'Release', {
      routeId,
      stageName,
      function: fn.function,
      version: fn.function.currentVersion,
      application: this.application,
      role: this.role,
      sharedAlarms: [...this.sharedAlarms],
      alarms,
      topic,
      deploymentConfig,
      ...(ignoreAlarms === true ? { ignoreAlarms } : {}),
    });
    if (options.beforeTraffic === false) this.untried.add(routeId);
    else if (this.preTrafficHook !== undefined) this.hookInto(release, this.preTrafficHook);
    this.byRouteId.set(routeId, release);
    return release;
  }

  /** Every release, made before or after, runs `hook` before traffic moves to its new version. */
  runBeforeTraffic(hook: PreTrafficHook): void {
    if (this.preTrafficHook !== undefined) throw new TypeError('CanaryReleases: a pre-traffic hook is set');
    this.preTrafficHook = hook;
    for (const [routeId, release] of this.byRouteId) {
      if (!this.untried.has(routeId)) this.hookInto(release, hook);
    }
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(hook.function)}.Arn>:*]`,
      reason:
        'LambdaDeploymentGroup lets the CodeDeploy role invoke the pre-traffic hook and its versions ' +
        '(`<hook ARN>:*`): that one function, which CodeDeploy calls for every release, and nothing else.',
    });
  }

  private hookInto(release: CanaryRelease, hook: PreTrafficHook): void {
    release.addPreTrafficHook(hook.function);
    hook.readDeploymentsOf(release.deploymentGroup);
  }

  /** Alarms that also stop and roll back every release, after the function's own two. */
  rollBackOn(alarms: readonly IAlarm[]): void {
    for (const alarm of alarms) {
      this.sharedAlarms.push(alarm);
      for (const release of this.byRouteId.values()) release.deploymentGroup.addAlarm(alarm);
    }
  }
}
