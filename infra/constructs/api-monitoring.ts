import { Duration, Stack, Validations } from 'aws-cdk-lib';
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
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/adapters/metrics/emf-counters.js';
import { limiterOutcomes } from '../../shared/domain/rate-limit/limiter-metrics.js';
import type { CapacitySettings, OperationsSettings } from '../config.js';
import type { AlarmTopic } from './alarm-topic.js';

/** A function whose duration is watched against its timeout and graphed. */
export interface MonitoredFunction {
  readonly routeId: string;
  readonly function: IFunction;
  readonly timeout: Duration;
  /**
   * Where its duration alarm lives: beside the function (its nested stack, ADR 0018), so the monitoring
   * stack does not grow with every route. This construct when absent.
   */
  readonly scope?: Construct;
}

export interface ApiMonitoringProps {
  readonly stageName: string;
  readonly stage: Stage;
  readonly alarms: OperationsSettings['alarms'];
  readonly topic: AlarmTopic;
  /** Every function of the API: duration alarms and graphs. */
  readonly functions?: readonly MonitoredFunction[];
  /** The tables the functions use: throttling and system-error alarms, and graphs. */
  readonly tables?: Readonly<Record<string, ITable>>;
  /** The web ACL in front of the stage: block alarms and graphs. */
  readonly webAcl?: {
    readonly name: string;
    /** Rule metric names of the per-IP rate rules. */
    readonly rateRuleMetricNames: readonly string[];
    readonly thresholds: OperationsSettings['waf'];
  };
  /** The stage's access logs: API Gateway's own 429s are counted from them. */
  readonly accessLogs?: ILogGroup;
  /** The account quota the account-concurrency alarm compares with. */
  readonly capacity?: Pick<CapacitySettings, 'accountConcurrency' | 'alarmPercent'>;
  /** The signing-key rotation function (data stack): its errors page, so do failed rotations. */
  readonly signingKeyRotation?: { readonly function: IFunction };
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
 * token reuse, API 5xx rate, p99 latency, API Gateway's own 429s, WAF blocks and rate-rule blocks, account
 * concurrency, the signing-key rotation), the per-function duration and per-table DynamoDB alarms, each
 * notifying the alarm topic, and the operators' dashboard.
 */
/** The alarm topic is such a rule's only target (see the rule below). */
const acknowledgeNoDeadLetterQueue = (rule: Rule): void => {
  Validations.of(rule).acknowledge({
    id: 'Serverless-EventBusDLQ',
    reason:
      "The rule's only target is this stack's alarm topic. EventBridge retries a failed delivery for 24 " +
      'hours; a dead-letter queue would need an alarm of its own, sent to the same topic that could not ' +
      'be reached, so it would add a queue nobody reads.',
  });
};

export class ApiMonitoring extends Construct {
  readonly limiterBackendErrors: Alarm;
  readonly limiterFailClosed: Alarm;
  readonly dependencyUnavailable: Alarm;
  readonly authFailureSpike: Alarm;
  readonly refreshReuseDetected: Alarm;
  readonly serverErrorRate: Alarm;
  readonly latencyP99?: Alarm;
  readonly gatewayThrottles?: Alarm;
  readonly wafBlocked?: Alarm;
  readonly wafRateRuleBlocks?: Alarm;
  readonly accountConcurrency?: Alarm;
  readonly rotationErrors?: Alarm;
  /** EventBridge rule: Secrets Manager reports a failed or abandoned rotation. */
  readonly rotationFailed?: Rule;
  /** EventBridge rule: AWS Backup reports a backup job that failed, was aborted, expired or is partial. */
  readonly backupFailed: Rule;
  /** Each function's duration alarm, by route id. */
  readonly durationAlarms: ReadonlyMap<string, Alarm>;
  /** Each table's throttling and system-error alarms, by table id. */
  readonly tableAlarms: ReadonlyMap<string, { readonly throttled: Alarm; readonly systemErrors: Alarm }>;

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

    // The stage's metrics name it by its name (the stage name, as RouteApi deploys it), not by a reference to
    // the stage: the 5xx-rate alarm rolls back every release, and a reference would make each function's
    // nested stack wait for the stage, whose deployment waits for the methods on those functions (ADR 0018).
    const stageDimensions = { dimensionsMap: { ApiName: stage.restApi.restApiName, Stage: stageName } };
    const requests = stage.metricCount({
      period: oneMinute,
      statistic: 'Sum',
      label: 'Requests',
      ...stageDimensions,
    });
    const serverErrors = stage.metricServerError({
      period: oneMinute,
      statistic: 'Sum',
      label: '5xx',
      ...stageDimensions,
    });
    const clientErrors = stage.metricClientError({
      period: oneMinute,
      statistic: 'Sum',
      label: '4xx',
      ...stageDimensions,
    });
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

    const fiveMinutes = Duration.minutes(5);
    const stack = Stack.of(this);
    const latencyP99 = stage.metricLatency({
      period: oneMinute,
      statistic: 'p99',
      label: 'p99',
      ...stageDimensions,
    });
    this.latencyP99 = watch(
      new Alarm(this, 'LatencyP99', {
        alarmName: name('api-latency-p99'),
        alarmDescription:
          `The stage's p99 latency is above ${alarms.latencyP99Ms} ms in 3 of 5 minutes: a slow backend, ` +
          'cold starts after a release, or functions at their reserved concurrency.',
        metric: latencyP99,
        threshold: alarms.latencyP99Ms,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // API Gateway's own 429s (stage and method throttles) never reach a function, so no Bulwark metric
    // counts them and the 4XXError metric mixes them with every other 4xx: the access log names them.
    let gatewayThrottled: IMetric | undefined;
    if (props.accessLogs !== undefined) {
      new MetricFilter(this, 'GatewayThrottledFilter', {
        logGroup: props.accessLogs,
        filterPattern: FilterPattern.stringValue('$.errorType', '=', 'THROTTLED'),
        metricNamespace: METRICS_NAMESPACE,
        metricName: 'gateway_throttled',
        metricValue: '1',
        dimensions: { stage: '$.stage' },
      });
      gatewayThrottled = new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'gateway_throttled',
        dimensionsMap: { stage: stageName },
        statistic: 'Sum',
        period: fiveMinutes,
        label: 'API Gateway 429 (stage and method throttles)',
      });
      this.gatewayThrottles = watch(
        new Alarm(this, 'GatewayThrottles', {
          alarmName: name('api-gateway-throttled'),
          alarmDescription:
            `API Gateway answered more than ${alarms.gatewayThrottlesPer5Minutes} requests 429 (THROTTLED) in 5 ` +
            'minutes: a method is at its capacity-class throttle (infra/config.ts capacity). A flood, or a ' +
            'throttle too low for real traffic. Runbook: docs/runbooks/rollout.md',
          metric: gatewayThrottled,
          threshold: alarms.gatewayThrottlesPer5Minutes,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    const wafMetric = (metricName: string, rule: string, label: string): Metric | undefined =>
      props.webAcl === undefined
        ? undefined
        : new Metric({
            namespace: 'AWS/WAFV2',
            metricName,
            dimensionsMap: { WebACL: props.webAcl.name, Region: stack.region, Rule: rule },
            statistic: 'Sum',
            period: fiveMinutes,
            label,
          });
    const wafBlocked = wafMetric('BlockedRequests', 'ALL', 'WAF blocked (all rules)');
    const wafAllowed = wafMetric('AllowedRequests', 'ALL', 'WAF allowed');
    const rateRuleBlocked = (props.webAcl?.rateRuleMetricNames ?? []).map(
      (rule) => wafMetric('BlockedRequests', rule, rule) as Metric,
    );
    if (props.webAcl !== undefined && wafBlocked !== undefined) {
      const { thresholds } = props.webAcl;
      this.wafBlocked = watch(
        new Alarm(this, 'WafBlocked', {
          alarmName: name('waf-blocked-requests'),
          alarmDescription:
            `The web ACL blocked more than ${thresholds.blockedRequestsPer5Minutes} requests in 5 minutes (all ` +
            'rules): an attack, or a managed rule blocking real clients. The WAF log group holds every block. ' +
            'Runbook: docs/runbooks/api-security.md',
          metric: wafBlocked,
          threshold: thresholds.blockedRequestsPer5Minutes,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      this.wafRateRuleBlocks = watch(
        new Alarm(this, 'WafRateRuleBlocks', {
          alarmName: name('waf-rate-rule-blocks'),
          alarmDescription:
            `The per-IP rate rules blocked more than ${thresholds.rateRuleBlocksPer5Minutes} requests in 5 ` +
            'minutes: a flood, or a password-guessing run against login or refresh (CredentialRateLimitPerIp). ' +
            'Runbook: docs/runbooks/rate-limiting.md',
          metric: new MathExpression({
            expression: rateRuleBlocked.map((_, index) => `FILL(r${index}, 0)`).join(' + '),
            usingMetrics: Object.fromEntries(rateRuleBlocked.map((metric, index) => [`r${index}`, metric])),
            period: fiveMinutes,
            label: 'Rate-rule blocks',
          }),
          threshold: thresholds.rateRuleBlocksPer5Minutes,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    const claimedConcurrency = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'ClaimedAccountConcurrency',
      statistic: 'Maximum',
      period: oneMinute,
      label: 'Claimed account concurrency',
    });
    if (props.capacity !== undefined) {
      const threshold = Math.floor((props.capacity.accountConcurrency * props.capacity.alarmPercent) / 100);
      this.accountConcurrency = watch(
        new Alarm(this, 'AccountConcurrency', {
          alarmName: name('account-concurrency'),
          alarmDescription:
            `The account's claimed Lambda concurrency (reservations included) is above ${threshold} of a quota of ` +
            `${props.capacity.accountConcurrency} in 3 of 5 minutes: functions without a reservation, here or ` +
            'elsewhere in the account, are about to be throttled. Runbook: docs/runbooks/rollout.md',
          metric: claimedConcurrency,
          threshold,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    if (props.signingKeyRotation !== undefined) {
      this.rotationErrors = watch(
        new Alarm(this, 'RotationErrors', {
          alarmName: name('signing-key-rotation-errors'),
          alarmDescription:
            'The signing-key rotation function failed a step. Secrets Manager retries it; until one succeeds ' +
            'the keys do not rotate, and a failed first rotation leaves no key at all (every login 503). ' +
            'Runbook: docs/runbooks/auth.md',
          metric: props.signingKeyRotation.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      // Secrets Manager's own verdict, also when the function never ran (invoke refused, timeout). Any secret
      // of the account and region: a filter on the secret's ARN would depend on the event's field names,
      // and a rotation failure nobody hears of is worse than one that is not Bulwark's.
      this.rotationFailed = new Rule(this, 'RotationFailed', {
        description: `Bulwark ${stageName}: a Secrets Manager rotation failed or was abandoned`,
        eventPattern: {
          source: ['aws.secretsmanager'],
          detailType: ['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['secretsmanager.amazonaws.com'],
            eventName: ['RotationFailed', 'RotationAbandoned'],
          },
        },
      });
      this.rotationFailed.addTarget(topic.eventTarget(this.rotationFailed));
      acknowledgeNoDeadLetterQueue(this.rotationFailed);
    }

    // AWS Backup's verdict on the daily backups of the users and API-key tables (the data stack's
    // TableBackups): a job that failed, was aborted, expired before it started or saved only part leaves
    // the day without a good restore point, and nothing else would tell anyone. Any vault of the account
    // and region, for the reason the rotation rule gives.
    this.backupFailed = new Rule(this, 'BackupFailed', {
      description: `Bulwark ${stageName}: an AWS Backup job failed, was aborted, expired or is partial`,
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Backup Job State Change'],
        detail: { state: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'] },
      },
    });
    this.backupFailed.addTarget(topic.eventTarget(this.backupFailed));
    acknowledgeNoDeadLetterQueue(this.backupFailed);

    const durationAlarms = new Map<string, Alarm>();
    for (const monitored of props.functions ?? []) {
      const threshold = Math.floor(
        (monitored.timeout.toMilliseconds() * alarms.durationPercentOfTimeout) / 100,
      );
      const alarm = new Alarm(monitored.scope ?? this, `${monitored.routeId}-Duration`, {
        alarmName: name(`${monitored.routeId}-duration`),
        alarmDescription:
          `The ${monitored.routeId} function ran longer than ${threshold} ms (${alarms.durationPercentOfTimeout}% ` +
          `of its ${monitored.timeout.toSeconds()} s timeout): a backend past its deadline or a hung call; ` +
          'at the timeout the client gets a 5xx.',
        metric: monitored.function.metricDuration({ period: oneMinute, statistic: 'Maximum' }),
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      topic.notify(alarm);
      durationAlarms.set(monitored.routeId, alarm);
    }
    this.durationAlarms = durationAlarms;

    const tableAlarms = new Map<string, { throttled: Alarm; systemErrors: Alarm }>();
    const tableGraphs: { throttles: IMetric[]; errors: IMetric[]; latency: IMetric[] } = {
      throttles: [],
      errors: [],
      latency: [],
    };
    for (const [index, [tableId, table]] of Object.entries(props.tables ?? {}).entries()) {
      // Ids unique per table: the tables share one graph.
      const throttles = new MathExpression({
        expression: `FILL(reads${index}, 0) + FILL(writes${index}, 0)`,
        usingMetrics: {
          [`reads${index}`]: table.metric('ReadThrottleEvents', { statistic: 'Sum', period: oneMinute }),
          [`writes${index}`]: table.metric('WriteThrottleEvents', { statistic: 'Sum', period: oneMinute }),
        },
        period: oneMinute,
        label: `${tableId} throttled`,
      });
      // SystemErrors carries the operation as a dimension: a query sums every operation, present or future.
      const systemErrors = new MathExpression({
        expression:
          `SELECT SUM(SystemErrors) FROM SCHEMA("AWS/DynamoDB", Operation, TableName) ` +
          `WHERE TableName = '${table.tableName}'`,
        period: oneMinute,
        label: `${tableId} system errors`,
      });
      const throttled = new Alarm(this, `${tableId}-Throttled`, {
        alarmName: name(`dynamodb-${tableId}-throttled`),
        alarmDescription:
          `DynamoDB throttled reads or writes of the ${tableId} table: on-demand tables throttle on a hot key ` +
          'or past the account table quota; the functions answer 503 (dependency_unavailable). Runbook: ' +
          'docs/runbooks/rate-limiting.md',
        metric: throttles,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      const systemErrorsAlarm = new Alarm(this, `${tableId}-SystemErrors`, {
        alarmName: name(`dynamodb-${tableId}-system-errors`),
        alarmDescription:
          `DynamoDB answered requests on the ${tableId} table with a server error (5xx). Runbook: ` +
          'docs/runbooks/rate-limiting.md',
        metric: systemErrors,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      topic.notify(throttled);
      topic.notify(systemErrorsAlarm);
      tableAlarms.set(tableId, { throttled, systemErrors: systemErrorsAlarm });
      tableGraphs.throttles.push(throttles);
      tableGraphs.errors.push(systemErrors);
      tableGraphs.latency.push(
        table.metric('SuccessfulRequestLatency', {
          statistic: 'p99',
          period: oneMinute,
          label: `${tableId} p99 (ms)`,
          dimensionsMap: { TableName: table.tableName, Operation: 'UpdateItem' },
        }),
      );
    }
    this.tableAlarms = tableAlarms;

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
        stage.metricLatency({ period: oneMinute, statistic: 'p50', label: 'p50', ...stageDimensions }),
        latencyP99,
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
    if (wafBlocked !== undefined && wafAllowed !== undefined) {
      this.dashboard.addWidgets(
        graph('WAF: allowed / blocked (5 min)', [wafAllowed, wafBlocked]),
        graph('WAF: per-IP rate rules, blocked (5 min)', rateRuleBlocked),
      );
    }
    this.dashboard.addWidgets(
      graph('Lambda: claimed account concurrency', [claimedConcurrency]),
      graph(
        'Lambda: concurrent executions by function',
        (props.functions ?? []).map((monitored) =>
          monitored.function.metric('ConcurrentExecutions', {
            statistic: 'Maximum',
            period: oneMinute,
            label: monitored.routeId,
          }),
        ),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Lambda: duration p99 by function (ms)',
        (props.functions ?? []).map((monitored) =>
          monitored.function.metricDuration({
            statistic: 'p99',
            period: oneMinute,
            label: monitored.routeId,
          }),
        ),
      ),
      graph(
        'API Gateway 429 (stage and method throttles)',
        gatewayThrottled === undefined ? [] : [gatewayThrottled],
      ),
    );
    if (tableGraphs.throttles.length > 0) {
      this.dashboard.addWidgets(
        graph('DynamoDB: throttled requests', tableGraphs.throttles, 8),
        graph('DynamoDB: system errors', tableGraphs.errors, 8),
        graph('DynamoDB: UpdateItem latency p99 (ms)', tableGraphs.latency, 8),
      );
    }
  }
}
