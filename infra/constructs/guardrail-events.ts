import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
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
  /** Encrypts the function's log group (the API's logs key). */
  readonly logEncryptionKey?: IKey;
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
      ...(props.logEncryptionKey === undefined ? {} : { logEncryptionKey: props.logEncryptionKey }),
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
    // Each filter (and the permission letting CloudWatch Logs invoke the forwarder for it) sits beside its
    // log group, in the function's nested stack (ADR 0018): this stack does not grow with every route.
    for (const logGroup of props.sourceLogGroups) {
      new SubscriptionFilter(logGroup, 'GuardrailEvents', {
        logGroup,
        destination,
        filterPattern: FilterPattern.stringValue('$.message', '=', 'guard-rail event'),
      });
    }

    // The alarm topic lets this rule alone publish (its ARN in the topic policy), and its key lets
    // EventBridge rules of this account use it.
    this.rule = new Rule(this, 'Rule', {
      eventBus: this.bus,
      description: 'Every HealthChanged guard-rail event to the alarm topic',
      eventPattern: { source: [GUARDRAIL_EVENT_SOURCE], detailType: [GUARDRAIL_EVENT_DETAIL_TYPE] },
    });
    this.rule.addTarget(
      topic.eventTarget(this.rule, {
        deadLetterQueue: this.deadLetters,
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
        message: RuleTargetInput.fromText(
          `Bulwark ${config.stageName} guard rail breached: ${EventField.fromPath('$.detail.kind')} ` +
            `(${EventField.fromPath('$.detail.subject')}) at ${EventField.fromPath('$.detail.at')}. ` +
            'Remediation: docs/runbooks/guardrails.md',
        ),
      }),
    );

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
