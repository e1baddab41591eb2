import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, type AlarmBase, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IRule, IRuleTarget, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import {
  addToDeadLetterQueueResourcePolicy,
  bindBaseTargetConfig,
  type TargetBaseProps,
} from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  readonly stageName: string;
  /** Subscribed when set. */
  readonly email?: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The SNS topic every alarm notifies. Encrypted with a customer managed key: CloudWatch cannot publish to a
 * topic encrypted with the AWS managed `aws/sns` key, whose policy cannot be changed to let it in. A topic
 * policy replaces SNS's default one, so it says who may publish: CloudWatch alarms of this account and
 * region, and the EventBridge rules handed to eventTarget(), nothing else; and TLS only. The key lets the
 * same two services use it, for this account only (confused-deputy conditions on both).
 */
/** Retries, a dead-letter queue and the message text of a rule's delivery to the topic. */
export interface AlarmTopicTargetOptions extends TargetBaseProps {
  readonly message?: RuleTargetInput;
}

export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  /** Fires when SNS fails to deliver a notification to a subscription (a bounced e-mail, a broken hook). */
  readonly deliveryFailures: Alarm;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const sourceArnOf = (service: string, resource: string, resourceName: string, arnFormat: ArnFormat) =>
      stack.formatArn({ service, resource, resourceName, arnFormat });
    const alarmArns = sourceArnOf('cloudwatch', 'alarm', '*', ArnFormat.COLON_RESOURCE_NAME);
    const ruleArns = sourceArnOf('events', 'rule', '*', ArnFormat.SLASH_RESOURCE_NAME);

    this.key = new Key(this, 'Key', {
      description: `Encrypts the Bulwark ${props.stageName} alarm topic`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: props.removalPolicy,
    });
    // CloudWatch alarms and EventBridge rules publish as their service principals and need the data key.
    for (const [service, sourceArns] of [
      ['cloudwatch.amazonaws.com', alarmArns],
      ['events.amazonaws.com', ruleArns],
    ] as const) {
      this.key.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': sourceArns },
          },
        }),
      );
    }

    this.topic = new Topic(this, 'Topic', {
      displayName: `Bulwark ${props.stageName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default: without this statement no alarm reaches anyone.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': alarmArns },
        },
      }),
    );
    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));
    this.action = new SnsAction(this.topic);

    this.deliveryFailures = new Alarm(this, 'DeliveryFailures', {
      alarmName: `bulwark-${props.stageName}-alarm-delivery-failed`,
      alarmDescription:
        'SNS could not deliver an alarm notification to a subscription of the alarm topic: someone is not ' +
        'being paged. Check the subscriptions (a bounced e-mail, a deleted endpoint) and the alarm history. ' +
        'Runbook: docs/runbooks/rollout.md',
      metric: this.topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // The other subscriptions still hear of it.
    this.notify(this.deliveryFailures);
  }

  /** Notifies the topic when the alarm fires and when it recovers. */
  notify(alarm: AlarmBase): void {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
  }

  /**
   * The topic as the target of an EventBridge rule: the topic policy lets that rule (and only it) publish.
   * The event is delivered as it is, so the message names the resource and the event.
   */
  eventTarget(rule: IRule, options: AlarmTopicTargetOptions = {}): IRuleTarget {
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': rule.ruleArn },
        },
      }),
    );
    const { message, ...base } = options;
    if (base.deadLetterQueue !== undefined) addToDeadLetterQueueResourcePolicy(rule, base.deadLetterQueue);
    return {
      bind: () => ({
        ...bindBaseTargetConfig(base),
        arn: this.topic.topicArn,
        id: 'AlarmTopic',
        ...(message === undefined ? {} : { input: message }),
      }),
    };
  }
}
