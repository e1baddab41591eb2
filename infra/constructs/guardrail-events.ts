import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, type ILogGroup, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  GUARDRAIL_EVENT_DETAIL_TYPE,
  GUARDRAIL_EVENT_SOURCE,
} from '../../shared/adapters/events/eventbridge-guardrail-sink.js';
import type { StageConfig } from '../config.js';
import type { AlarmTopic } from './alarm-topic.js';
import { deadLetterQueue, OperationsFunction } from './operations-function.js';

export interface GuardrailEventsProps {
  readonly config: StageConfig;
  readonly projectRoot: string;
  readonly topic: AlarmTopic;
  /** The log groups whose `guard-rail event` lines become events: every route function's. */
  readonly sourceLogGroups: readonly ILogGroup[];
}

/**
 * Guard-rail events (ADR 0015): the functions write one `guard-rail event` log line per breach; a
 * subscription filter on each log group hands those lines to the forwarder, which puts them on the
 * stage's own bus as `HealthChanged` (source `bulwark.guardrails`). A rule sends each to the alarm topic;
 * the `guardrail-breach` alarm, forwarder errors and dead letters page.
 */
export class GuardrailEvents extends Construct {
  readonly bus: EventBus;
  readonly forwarder: OperationsFunction;
  readonly rule: Rule;
  readonly deadLetters: Queue;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: GuardrailEventsProps) {
    super(scope, id);
    const { config, topic } = props;
    const name = (suffix: string): string => `bulwark-${config.stageName}-${suffix}`;

    // No resource policy: only principals of this account granted events:PutEvents can put events.
    this.bus = new EventBus(this, 'Bus', { eventBusName: name('guardrails') });
    this.deadLetters = deadLetterQueue(this, 'DeadLetters');

    this.forwarder = new OperationsFunction(this, 'Forwarder', {
      description: 'Puts guard-rail log lines on the guard-rail bus as HealthChanged events',
      entry: 'functions/guardrail-forwarder/handler.ts',
      projectRoot: props.projectRoot,
      config,
      environment: { GUARDRAIL_EVENT_BUS_NAME: this.bus.eventBusName },
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetters,
    });
    this.bus.grantPutEventsTo(this.forwarder.function);

    const destination = new LambdaDestination(this.forwarder.function);
    props.sourceLogGroups.forEach((logGroup, index) => {
      new SubscriptionFilter(this, `Subscription${index}`, {
        logGroup,
        destination,
        filterPattern: FilterPattern.stringValue('$.message', '=', 'guard-rail event'),
      });
    });

    // EventBridge publishes to the KMS-encrypted alarm topic as events.amazonaws.com.
    topic.key.grant(new ServicePrincipal('events.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.rule = new Rule(this, 'Rule', {
      eventBus: this.bus,
      description: 'Every HealthChanged guard-rail event to the alarm topic',
      eventPattern: { source: [GUARDRAIL_EVENT_SOURCE], detailType: [GUARDRAIL_EVENT_DETAIL_TYPE] },
      targets: [
        new SnsTopic(topic.topic, {
          deadLetterQueue: this.deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
          message: RuleTargetInput.fromText(
            `Bulwark ${config.stageName} guard rail breached: ${EventField.fromPath('$.detail.kind')} ` +
              `(${EventField.fromPath('$.detail.subject')}) at ${EventField.fromPath('$.detail.at')}. ` +
              'Remediation: docs/runbooks/guardrails.md',
          ),
        }),
      ],
    });

    const watch = (alarm: Alarm): Alarm => {
      topic.notify(alarm);
      return alarm;
    };
    this.alarms = [
      watch(
        new Alarm(this, 'Breach', {
          alarmName: name('guardrail-breach'),
          alarmDescription:
            'A guard rail was breached (an unlimited API key created or used, signing keys overdue, the limiter ' +
            'failing open): the HealthChanged event names it. Runbook: docs/runbooks/guardrails.md',
          metric: new Metric({
            namespace: 'AWS/Events',
            metricName: 'TriggeredRules',
            dimensionsMap: { EventBusName: this.bus.eventBusName, RuleName: this.rule.ruleName },
            statistic: 'Sum',
            period: Duration.minutes(5),
          }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ),
      watch(
        new Alarm(this, 'ForwarderErrors', {
          alarmName: name('guardrail-forwarder-errors'),
          alarmDescription:
            'The guard-rail forwarder failed: events may be late or in its dead-letter queue. Runbook: ' +
            'docs/runbooks/guardrails.md',
          metric: this.forwarder.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ),
      watch(
        new Alarm(this, 'DeadLetterDepth', {
          alarmName: name('guardrail-dead-letters'),
          alarmDescription:
            'Guard-rail events or probe invocations that could not be delivered wait in a dead-letter queue. ' +
            'Runbook: docs/runbooks/guardrails.md',
          metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(5),
            statistic: 'Maximum',
          }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ),
    ];
  }
}
