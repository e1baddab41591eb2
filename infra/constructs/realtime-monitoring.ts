import { Duration } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/adapters/metrics/emf-counters.js';
import { limiterOutcomes } from '../../shared/domain/rate-limit/limiter-metrics.js';
import type { OperationsSettings } from '../config.js';
import type { AlarmTopic } from './alarm-topic.js';

export interface RealtimeMonitoringProps {
  readonly stageName: string;
  readonly stage: WebSocketStage;
  readonly deadLetterQueue: Queue;
  readonly alarms: OperationsSettings['alarms'];
  readonly topic: AlarmTopic;
  readonly dashboard: Dashboard;
}

/** The `service` dimension Powertools adds to every Bulwark metric. */
const service = 'bulwark';

/** Dimension sets the gateway publishes (EMF): limit outcomes by limit and policy, rejections by status. */
const schemas = {
  limit: `"${METRICS_NAMESPACE}", limit, policy, service`,
  status: `"${METRICS_NAMESPACE}", service, status`,
} as const;

const sumOf = (metricName: string, schema: keyof typeof schemas, label: string, where = ''): MathExpression =>
  new MathExpression({
    expression: `SELECT SUM(${metricName}) FROM SCHEMA(${schemas[schema]}) WHERE service = '${service}'${where}`,
    period: Duration.minutes(1),
    label,
  });

const searchTotal = (metricName: string, schema: keyof typeof schemas, label: string): MathExpression =>
  new MathExpression({
    expression: `SUM(SEARCH('{${schemas[schema].replaceAll('"', '')}} MetricName="${metricName}"', 'Sum', 60))`,
    period: Duration.minutes(1),
    label,
  });

/** One line per status: SEARCH without SUM keeps the series apart. */
const searchByStatus = (metricName: string, label: string): MathExpression =>
  new MathExpression({
    expression: `SEARCH('{${schemas.status.replaceAll('"', '')}} MetricName="${metricName}"', 'Sum', 60)`,
    period: Duration.minutes(1),
    label,
  });

/**
 * The realtime gateway's alarms and dashboard widgets (ADR 0014): realtime limiter backend errors and
 * fail-closed refusals, connects refused with 503, revocations that could not be applied; connects and
 * messages by outcome, the limiter's outcomes, the WebSocket stage's own metrics.
 */
export class RealtimeMonitoring extends Construct {
  readonly limiterBackendErrors: Alarm;
  readonly limiterFailClosed: Alarm;
  readonly connectUnavailable: Alarm;
  readonly revocationsDeadLettered: Alarm;

  /** The alarms that also stop and roll back every canary release (the gateway's and the routes'). */
  get rolloutAlarms(): readonly Alarm[] {
    return [this.limiterBackendErrors, this.limiterFailClosed, this.connectUnavailable];
  }

  constructor(scope: Construct, id: string, props: RealtimeMonitoringProps) {
    super(scope, id);
    const { stage, stageName, topic } = props;
    const name = (suffix: string): string => `bulwark-${stageName}-${suffix}`;
    const watch = (alarm: Alarm): Alarm => {
      topic.notify(alarm);
      return alarm;
    };
    const anyPerMinute = {
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    } as const;

    this.limiterBackendErrors = watch(
      new Alarm(this, 'LimiterBackendErrors', {
        alarmName: name('realtime-limiter-backend-error'),
        alarmDescription:
          'The realtime limiter (connect and public subscribe limits) could not reach DynamoDB ' +
          '(realtime_limit_backend_error). Connects and subscribes are refused (503) or admitted per ' +
          'REALTIME_LIMITER_FAILURE_MODE. Runbook: docs/runbooks/rate-limiting.md',
        metric: sumOf('realtime_limit_backend_error', 'limit', 'Realtime limiter backend errors'),
        ...anyPerMinute,
      }),
    );
    this.limiterFailClosed = watch(
      new Alarm(this, 'LimiterFailClosed', {
        alarmName: name('realtime-limiter-fail-closed'),
        alarmDescription:
          'Connects, subscribes or datasource token mints refused with 503 because the realtime limiter failed ' +
          'closed (realtime_limit_fail_closed). Runbook: docs/runbooks/rate-limiting.md',
        metric: sumOf('realtime_limit_fail_closed', 'limit', 'Realtime limiter fail-closed'),
        ...anyPerMinute,
      }),
    );
    this.connectUnavailable = watch(
      new Alarm(this, 'ConnectUnavailable', {
        alarmName: name('realtime-connect-unavailable'),
        alarmDescription:
          'Realtime connects refused with 503 (realtime_connect_rejected, status 503): DynamoDB failed or ' +
          'the limiter failed closed at $connect. Runbook: docs/runbooks/rollout.md',
        metric: sumOf('realtime_connect_rejected', 'status', 'Connects refused 503', " AND status = '503'"),
        ...anyPerMinute,
      }),
    );
    this.revocationsDeadLettered = watch(
      new Alarm(this, 'RevocationsDeadLettered', {
        alarmName: name('realtime-revocations-dead-lettered'),
        alarmDescription:
          'Revocations the gateway could not apply after its retries are in the dead-letter queue: open ' +
          'connections of revoked sessions or keys may still be open. Runbook: docs/runbooks/auth.md',
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        ...anyPerMinute,
      }),
    );

    const oneMinute = Duration.minutes(1);
    const graph = (title: string, left: IMetric[], width = 12): GraphWidget =>
      new GraphWidget({ title, left, width, height: 6, period: oneMinute });
    const stageMetric = (metricName: string, label: string): Metric =>
      stage.metric(metricName, { period: oneMinute, statistic: 'Sum', label }).with({
        dimensionsMap: { ApiId: stage.api.apiId, Stage: stage.stageName },
      });
    props.dashboard.addWidgets(
      graph('Realtime: connects and messages', [
        stageMetric('ConnectCount', 'ConnectCount'),
        stageMetric('MessageCount', 'MessageCount'),
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'realtime_connect_accepted',
          dimensionsMap: { service },
          statistic: 'Sum',
          period: oneMinute,
          label: 'accepted',
        }),
      ]),
      graph('Realtime: connects refused, by status', [
        searchByStatus('realtime_connect_rejected', 'connect rejected'),
      ]),
    );
    props.dashboard.addWidgets(
      graph(
        'Realtime limiter outcomes (connect, token, public subscribe)',
        limiterOutcomes.map((outcome) => searchTotal(`realtime_limit_${outcome}`, 'limit', outcome)),
      ),
      graph('Realtime: gateway errors and revocations', [
        stageMetric('IntegrationError', 'IntegrationError'),
        stageMetric('ExecutionError', 'ExecutionError'),
        stageMetric('ClientError', 'ClientError'),
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'realtime_connections_revoked',
          dimensionsMap: { service },
          statistic: 'Sum',
          period: oneMinute,
          label: 'revocations that closed connections',
        }),
      ]),
    );
  }
}
