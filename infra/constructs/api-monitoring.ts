import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/adapters/metrics/emf-counters.js';
import { limiterOutcomes } from '../../shared/domain/rate-limit/limiter-metrics.js';
import type { OperationsSettings } from '../config.js';
import type { AlarmTopic } from './alarm-topic.js';

export interface ApiMonitoringProps {
  readonly stageName: string;
  readonly stage: Stage;
  readonly alarms: OperationsSettings['alarms'];
  readonly topic: AlarmTopic;
}

/** The `service` dimension Powertools adds to every Bulwark metric. */
const service = 'bulwark';

/**
 * Dimension sets the functions publish (EMF, one set per metric): limiter outcomes carry route and policy,
 * auth metrics the route, refresh reuse the service only.
 */
const schemas = {
  limiter: `"${METRICS_NAMESPACE}", policy, route, service`,
  route: `"${METRICS_NAMESPACE}", route, service`,
  dependency: `"${METRICS_NAMESPACE}", dependency, route, service`,
  breaker: `"${METRICS_NAMESPACE}", dependency, service`,
  fallback: `"${METRICS_NAMESPACE}", dependency, reason, service`,
} as const;

/**
 * A Metrics Insights query summing one metric over every route (and policy). Alarms cannot use SEARCH;
 * they can use a Metrics Insights query, which returns one series when it has no GROUP BY.
 */
const sumOverRoutes = (
  metricName: string,
  schema: keyof typeof schemas,
  period: Duration,
  label: string,
): MathExpression =>
  new MathExpression({
    expression: `SELECT SUM(${metricName}) FROM SCHEMA(${schemas[schema]}) WHERE service = '${service}'`,
    period,
    label,
  });

/** A dashboard-only SEARCH total (SEARCH lets graphs include routes added later, like the query does). */
const searchTotal = (metricName: string, schema: keyof typeof schemas, label: string): MathExpression =>
  new MathExpression({
    expression: `SUM(SEARCH('{${schemas[schema].replaceAll('"', '')}} MetricName="${metricName}"', 'Sum', 60))`,
    period: Duration.minutes(1),
    label,
  });

/**
 * The stack-wide alarms (limiter backend errors and fail-closed decisions, auth failure spikes, refresh
 * token reuse, API 5xx rate), each notifying the alarm topic, and the operators' dashboard.
 */
export class ApiMonitoring extends Construct {
  readonly limiterBackendErrors: Alarm;
  readonly limiterFailClosed: Alarm;
  readonly dependencyUnavailable: Alarm;
  readonly authFailureSpike: Alarm;
  readonly refreshReuseDetected: Alarm;
  readonly serverErrorRate: Alarm;
  readonly breakerOpened: Alarm;
  readonly dashboard: Dashboard;

  /** The alarms every canary deployment watches besides its own function's. */
  get rolloutAlarms(): readonly Alarm[] {
    return [
      this.limiterBackendErrors,
      this.limiterFailClosed,
      this.dependencyUnavailable,
      this.serverErrorRate,
    ];
  }

  constructor(scope: Construct, id: string, props: ApiMonitoringProps) {
    super(scope, id);
    const { alarms, stage, stageName, topic } = props;
    const name = (suffix: string): string => `bulwark-${stageName}-${suffix}`;
    const oneMinute = Duration.minutes(1);

    const watch = (alarm: Alarm): Alarm => {
      topic.notify(alarm);
      return alarm;
    };

    this.limiterBackendErrors = watch(
      new Alarm(this, 'LimiterBackendErrors', {
        alarmName: name('limiter-backend-error'),
        alarmDescription:
          'The rate limiter could not reach DynamoDB (rate_limit_backend_error over all routes). Requests are ' +
          'answered fail-closed (503) or fail-open per SECURITY_LIMITER_FAILURE_MODE. Runbook: ' +
          'docs/runbooks/rate-limiting.md',
        metric: sumOverRoutes('rate_limit_backend_error', 'limiter', oneMinute, 'Limiter backend errors'),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.limiterFailClosed = watch(
      new Alarm(this, 'LimiterFailClosed', {
        alarmName: name('limiter-fail-closed'),
        alarmDescription:
          'Requests refused with 503 because the limiter failed closed (rate_limit_fail_closed over all ' +
          'routes). Runbook: docs/runbooks/rate-limiting.md',
        metric: sumOverRoutes('rate_limit_fail_closed', 'limiter', oneMinute, 'Limiter fail-closed'),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.dependencyUnavailable = watch(
      new Alarm(this, 'DependencyUnavailable', {
        alarmName: name('dependency-unavailable'),
        alarmDescription:
          'Requests answered 503 because DynamoDB or Secrets Manager failed or missed its deadline ' +
          '(dependency_unavailable over all routes, by dependency), including API-key reads and session ' +
          'writes the limiter metrics do not see. Runbook: docs/runbooks/rate-limiting.md',
        metric: sumOverRoutes('dependency_unavailable', 'dependency', oneMinute, 'Dependency unavailable'),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.authFailureSpike = watch(
      new Alarm(this, 'AuthFailureSpike', {
        alarmName: name('auth-failure-spike'),
        alarmDescription:
          `More than ${alarms.authFailuresPer5Minutes} auth_failure in 5 minutes over all routes: credential ` +
          'stuffing, a leaked or rotated key, or a client bug. Runbook: docs/runbooks/auth.md',
        metric: sumOverRoutes('auth_failure', 'route', Duration.minutes(5), 'Auth failures'),
        threshold: alarms.authFailuresPer5Minutes,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    const refreshReuse = new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: 'refresh_reuse_detected',
      dimensionsMap: { service },
      statistic: 'Sum',
      period: oneMinute,
    });
    this.refreshReuseDetected = watch(
      new Alarm(this, 'RefreshReuseDetected', {
        alarmName: name('refresh-reuse-detected'),
        alarmDescription:
          'A refresh token was presented twice and its session family was revoked: a stolen token or a ' +
          'client replay. Runbook: docs/runbooks/auth.md',
        metric: refreshReuse,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // A non-security dependency (the triage model) is down: its circuit opened. Not a rollout alarm: a
    // provider outage is no reason to roll back a deployment.
    this.breakerOpened = watch(
      new Alarm(this, 'BreakerOpened', {
        alarmName: name('breaker-opened'),
        alarmDescription:
          'A circuit breaker opened (breaker_opened, by dependency): a dependency such as the triage model ' +
          'failed repeatedly; its route serves the last good answer (degraded) or 503 until a probe succeeds. ' +
          'Runbook: docs/runbooks/log-triage.md',
        metric: sumOverRoutes('breaker_opened', 'breaker', Duration.minutes(5), 'Breakers opened'),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const requests = stage.metricCount({ period: oneMinute, statistic: 'Sum', label: 'Requests' });
    const serverErrors = stage.metricServerError({ period: oneMinute, statistic: 'Sum', label: '5xx' });
    const clientErrors = stage.metricClientError({ period: oneMinute, statistic: 'Sum', label: '4xx' });
    this.serverErrorRate = watch(
      new Alarm(this, 'ServerErrorRate', {
        alarmName: name('api-5xx-rate'),
        alarmDescription:
          `More than ${alarms.serverErrorRatePercent}% of requests answered 5xx in 2 of 3 minutes ` +
          '(fail-closed 503s included, as are API Gateway integration failures).',
        metric: new MathExpression({
          expression: 'IF(requests > 0, 100 * serverErrors / requests, 0)',
          usingMetrics: { requests, serverErrors },
          period: oneMinute,
          label: '5xx rate (%)',
        }),
        threshold: alarms.serverErrorRatePercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const graph = (title: string, left: IMetric[], width = 12): GraphWidget =>
      new GraphWidget({ title, left, width, height: 6, period: oneMinute });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: name('operations'),
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new AlarmWidget({ title: 'API 5xx rate', alarm: this.serverErrorRate, width: 12, height: 6 }),
      graph('Requests', [requests]),
    );
    this.dashboard.addWidgets(
      graph('4xx / 5xx', [clientErrors, serverErrors]),
      graph('Latency p50 / p99 (ms)', [
        stage.metricLatency({ period: oneMinute, statistic: 'p50', label: 'p50' }),
        stage.metricLatency({ period: oneMinute, statistic: 'p99', label: 'p99' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Limiter outcomes (all routes)',
        limiterOutcomes.map((outcome) => searchTotal(`rate_limit_${outcome}`, 'limiter', outcome)),
        24,
      ),
    );
    this.dashboard.addWidgets(
      graph(
        '503s by backend (all routes)',
        [searchTotal('dependency_unavailable', 'dependency', 'dependency_unavailable')],
        24,
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Circuit breakers (all dependencies)',
        [
          ...['opened', 'half_open', 'closed', 'rejected'].map((event) =>
            searchTotal(`breaker_${event}`, 'breaker', event),
          ),
          searchTotal('breaker_fallback_served', 'fallback', 'fallback_served'),
        ],
        24,
      ),
    );
    this.dashboard.addWidgets(
      graph('Auth failures (all routes)', [searchTotal('auth_failure', 'route', 'auth_failure')], 8),
      graph('Refresh token reuse detected', [refreshReuse.with({ label: 'refresh_reuse_detected' })], 8),
      graph(
        'Guard-rail breaches: unlimited API keys used',
        [searchTotal('api_key_unlimited_used', 'route', 'api_key_unlimited_used')],
        8,
      ),
    );
  }
}
