import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { AlarmBase } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
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
 * topic encrypted with the AWS managed `aws/sns` key, whose policy cannot be changed to let it in.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: `Encrypts the Bulwark ${props.stageName} alarm topic`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: props.removalPolicy,
    });
    // CloudWatch alarms publish as cloudwatch.amazonaws.com and need the data key to do so.
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');

    this.topic = new Topic(this, 'Topic', {
      displayName: `Bulwark ${props.stageName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));
    this.action = new SnsAction(this.topic);
  }

  /** Notifies the topic when the alarm fires and when it recovers. */
  notify(alarm: AlarmBase): void {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
  }
}
