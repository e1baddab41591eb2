import { type CfnResource, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct, type IDependable } from 'constructs';
import { type TableId, tableDefinitions } from '../../shared/resources/table-definitions.js';
import type { GatewayFunction, StreamSource } from '../../shared/routes/realtime-gateway.js';
import type { CapacityClass } from '../../shared/routes/route-definition.js';
import type { StageConfig } from '../config.js';
import type { AlarmTopic } from './alarm-topic.js';
import type { CanaryReleases } from './canary-releases.js';
import { functionLogGroupNameOf } from './function-log-groups.js';
import { RealtimeMonitoring } from './realtime-monitoring.js';
import { type GrantableResources, RouteFunction } from './route-function.js';
import { readerRoleNameOf } from './secret-readers.js';

export interface RealtimeGatewayProps {
  readonly config: StageConfig;
  readonly resources: GrantableResources;
  /** The gateway's functions (`realtimeGateway`): `$connect`, `$disconnect`, `$default` and the streams. */
  readonly functions: readonly GatewayFunction[];
  readonly projectRoot: string;
  readonly entryOf: (functionId: string) => string;
  /** Every gateway function is released through its `live` alias like a route's. */
  readonly canaryReleases: CanaryReleases;
  readonly alarmTopic: AlarmTopic;
  /** The stage's dashboard: the gateway adds its widgets. */
  readonly dashboard: Dashboard;
  /**
   * What the stage must exist after: the account-level API Gateway CloudWatch role (the REST API's
   * CfnAccount), without which a stage with logging cannot be deployed.
   */
  readonly loggingRole?: IDependable;
  /** Runtime variables shared by every function. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Where each function with its release goes (BulwarkApi: the nested stack its id hashes to, ADR 0018);
   * this construct when absent.
   */
  readonly scopeOf?: (functionId: string) => Construct;
  /** Encrypts the gateway's log groups (functions' and access logs: their lines carry client addresses). */
  readonly logEncryptionKey?: IKey;
}

/**
 * The capacity class whose reserved concurrency a gateway function gets (StageConfig.capacity, ADR 0018):
 * the WebSocket functions `public`, since any client reaches `$connect` without a JWT (the function checks
 * the token) and drives `$default` and `$disconnect` through its connections; none for the stream function,
 * whose concurrency is the streams' shard count, which no client sets.
 */
export const gatewayCapacityClassOf = (entry: GatewayFunction): CapacityClass | undefined =>
  entry.trigger.kind === 'websocket' ? 'public' : undefined;

const constructIdOf = (id: string): string =>
  id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

const noAuthorizerReason =
  'WebSocket APIs authorize only at $connect, and the $connect function does it itself: it consumes the ' +
  'single-use datasource token from Sec-WebSocket-Protocol, proves its session or API key unrevoked and ' +
  'applies the connect limits, answering 401/403/429/503 (a Lambda authorizer can only say 401/403 and ' +
  'cannot consume the token in the same write). $disconnect and $default cannot carry an authorizer; they ' +
  'run on a connection that was authenticated at $connect (ADR 0014).';

/** One JSON object per event (cdk-nag's structured logging); never the token, the query or headers. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    eventType: AccessLogField.contextEventType(),
    routeKey: AccessLogField.contextRouteKey(),
    connectionId: AccessLogField.contextConnectionId(),
    ip: AccessLogField.contextIdentitySourceIp(),
    userAgent: AccessLogField.contextIdentityUserAgent(),
    status: AccessLogField.contextStatus(),
    integrationStatus: AccessLogField.contextIntegrationStatus(),
    integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
    errorMessage: AccessLogField.contextErrorMessage(),
  }),
);

/** The stream filter of one source, as Lambda's event source mapping applies it (before invoking). */
const filterOf = (source: StreamSource) => {
  const partitionKey = tableDefinitions[source.table].partitionKey.name;
  const keyRule =
    source.partitionKey !== undefined
      ? FilterRule.isEqual(source.partitionKey)
      : source.partitionKeyPrefix !== undefined
        ? FilterRule.beginsWith(source.partitionKeyPrefix)
        : undefined;
  return FilterCriteria.filter({
    eventName: FilterRule.or(...source.events),
    ...(keyRule === undefined ? {} : { dynamodb: { Keys: { [partitionKey]: { S: keyRule } } } }),
  });
};

/**
 * The realtime gateway (ADR 0014): an API Gateway WebSocket API whose `$connect`, `$disconnect` and
 * `$default` routes invoke the gateway functions' `live` aliases (canary releases like the routes'), a
 * stage with throttling and JSON access logs, the revocation function on the tables' streams (filtered
 * to revocations, failures kept in a dead-letter queue), its alarms and dashboard widgets. Every function
 * is granted what its gateway entry declares; connectionsFor() gives a route function the stage's URL and
 * management API.
 */
export class RealtimeGateway extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly accessLogs: LogGroup;
  readonly functions: ReadonlyMap<string, RouteFunction>;
  /** Stream batches the revocation function could not apply after its retries. */
  readonly deadLetterQueue: Queue;
  readonly monitoring: RealtimeMonitoring;

  constructor(scope: Construct, id: string, props: RealtimeGatewayProps) {
    super(scope, id);
    const { config, resources, canaryReleases } = props;

    const functions = new Map<string, RouteFunction>();
    const aliases = new Map<string, IFunction>();
    const reservationOf = (entry: GatewayFunction): { reservedConcurrentExecutions?: number } => {
      const capacityClass = gatewayCapacityClassOf(entry);
      return capacityClass === undefined
        ? {}
        : { reservedConcurrentExecutions: config.capacity.classes[capacityClass].reservedConcurrency };
    };
    for (const entry of props.functions) {
      const roleName = readerRoleNameOf(entry.id, entry.secrets, resources.secrets);
      const fn = new RouteFunction(props.scopeOf?.(entry.id) ?? this, constructIdOf(entry.id), {
        routeId: entry.id,
        ...(roleName === undefined ? {} : { roleName }),
        description: entry.description,
        projectRoot: props.projectRoot,
        entry: props.entryOf(entry.id),
        config,
        environment: props.environment,
        ...(props.logEncryptionKey === undefined ? {} : { logEncryptionKey: props.logEncryptionKey }),
        logGroupName: functionLogGroupNameOf(this, entry.id),
        ...reservationOf(entry),
        ...(entry.trigger.kind === 'streams'
          ? {
              noDeadLetterQueueReason:
                'Invoked synchronously by its DynamoDB stream event source mappings, never asynchronously; ' +
                'batches that still fail after the retries go to the mappings’ on-failure queue ' +
                '(RevocationsDeadLetters), which is alarmed.',
            }
          : {}),
      });
      fn.grantEntry(entry, resources);
      functions.set(entry.id, fn);
      // Released on their alarms alone: the pre-traffic hook's probe is a REST request, which none of
      // these functions (WebSocket and stream events) answers.
      aliases.set(entry.id, canaryReleases.release(entry.id, fn, { beforeTraffic: false }).alias);
    }
    this.functions = functions;

    const aliasFor = (routeKey: string): IFunction => {
      const entry = props.functions.find(
        (fn) => fn.trigger.kind === 'websocket' && fn.trigger.routeKey === routeKey,
      );
      const alias = entry === undefined ? undefined : aliases.get(entry.id);
      if (alias === undefined) throw new TypeError(`RealtimeGateway: no function for the ${routeKey} route`);
      return alias;
    };
    this.api = new WebSocketApi(this, 'Api', {
      description: `Bulwark realtime gateway (${config.stageName})`,
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('ConnectIntegration', aliasFor('$connect')),
      },
      disconnectRouteOptions: {
        integration: new WebSocketLambdaIntegration('DisconnectIntegration', aliasFor('$disconnect')),
      },
      // A route response: the function's answer (a `subscribed` or `error` frame) goes to the sender.
      defaultRouteOptions: {
        integration: new WebSocketLambdaIntegration('MessageIntegration', aliasFor('$default')),
        returnResponse: true,
      },
    });
    for (const routeKey of ['$connect', '$disconnect', '$default']) {
      const route = this.api.node.tryFindChild(`${routeKey}-Route`);
      if (route !== undefined)
        Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: noAuthorizerReason });
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
      ...(props.logEncryptionKey === undefined ? {} : { encryptionKey: props.logEncryptionKey }),
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: config.stageName,
      autoDeploy: true,
      // Connects and messages per second over the whole stage; the per-client limits are the functions'.
      throttle: { rateLimit: config.throttling.rateLimitPerSecond, burstLimit: config.throttling.burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat,
      },
    });
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.addPropertyOverride('DefaultRouteSettings.LoggingLevel', 'ERROR');
    cfnStage.addPropertyOverride('DefaultRouteSettings.DataTraceEnabled', false);
    if (props.loggingRole !== undefined) this.stage.node.addDependency(props.loggingRole);

    // The revocation function: the tables' streams, filtered to what revokes, retried, then dead-lettered.
    this.deadLetterQueue = new Queue(this, 'RevocationsDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself the dead-letter destination of the revocation function’s stream mappings ' +
          '(cdk-nag only recognises queue-to-queue redrive); it is alarmed and read by operators.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'A dead-letter queue of stream batches; nothing consumes it automatically, so it needs none.',
      },
    );
    for (const entry of props.functions) {
      if (entry.trigger.kind !== 'streams') continue;
      const alias = aliases.get(entry.id);
      const fn = functions.get(entry.id);
      if (alias === undefined || fn === undefined) continue;
      for (const [table, sources] of Map.groupBy(entry.trigger.sources, (source) => source.table)) {
        alias.addEventSource(
          new DynamoEventSource(this.streamTable(resources.tables, table), {
            startingPosition: StartingPosition.LATEST,
            batchSize: 100,
            maxBatchingWindow: Duration.seconds(0),
            bisectBatchOnError: true,
            retryAttempts: 10,
            maxRecordAge: Duration.hours(1),
            onFailure: new SqsDlq(this.deadLetterQueue),
            filters: sources.map(filterOf),
          }),
        );
      }
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'dynamodb:ListStreams, which a DynamoDB stream event source needs, supports no resource-level ' +
          'permission; the stream reads (DescribeStream, GetRecords, GetShardIterator) name each stream.',
      });
    }

    // Functions that close connections get the stage's management API.
    for (const entry of props.functions) {
      const fn = functions.get(entry.id);
      if (fn !== undefined && entry.realtime !== undefined) this.connectionsFor(fn, entry.realtime);
    }

    this.monitoring = new RealtimeMonitoring(this, 'Monitoring', {
      stageName: config.stageName,
      stage: this.stage,
      deadLetterQueue: this.deadLetterQueue,
      alarms: config.operations.alarms,
      topic: props.alarmTopic,
      dashboard: props.dashboard,
    });
  }

  /**
   * Gives a function what its entry's `realtime` says: the stage's WebSocket URL (REALTIME_URL) and, for
   * `manage-connections`, its management API (REALTIME_CALLBACK_URL) with execute-api:ManageConnections
   * for sending (POST) and closing (DELETE) on this stage's connections only, never reading them (GET).
   */
  connectionsFor(fn: RouteFunction, access: 'url' | 'manage-connections'): void {
    fn.function.addEnvironment('REALTIME_URL', this.stage.url);
    if (access !== 'manage-connections') return;
    fn.function.addEnvironment('REALTIME_CALLBACK_URL', this.stage.callbackUrl);
    const stack = Stack.of(this);
    const connections = (method: 'POST' | 'DELETE'): string =>
      stack.formatArn({
        service: 'execute-api',
        resource: this.api.apiId,
        resourceName: `${this.stage.stageName}/${method}/@connections/*`,
      });
    const resources = [connections('POST'), connections('DELETE')];
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['execute-api:ManageConnections'], resources }),
    );
    // A route function in a nested stack (ADR 0018) sees the API's id through the parameter CDK makes for
    // the reference (`referenceto<unique id>Ref`), and the partition as cdk-nag renders it there (literal
    // when the stage's environment is known): its findings name the ARN that way.
    const apiId = stack.resolve(this.api.apiId) as { Ref: string };
    const apiParameter = `referenceto${Names.nodeUniqueId((this.api.node.defaultChild as CfnResource).node)}Ref`;
    const findingIdsOf = (resource: string): string[] => {
      const resolved = JSON.stringify(stack.resolve(resource));
      if (Stack.of(fn) === stack) return [flattenCfnReference(JSON.parse(resolved))];
      const inNested = resolved.replace(JSON.stringify(apiId), JSON.stringify({ Ref: apiParameter }));
      return [
        flattenCfnReference(JSON.parse(inNested)),
        flattenCfnReference(JSON.parse(inNested.replace('{"Ref":"AWS::Partition"}', '"aws"'))),
      ];
    };
    for (const resource of resources) {
      for (const finding of findingIdsOf(resource)) {
        Validations.of(fn.role).acknowledge({
          // The finding's id names the ARN as cdk-nag flattens it, tokens and all.
          id: `AwsSolutions-IAM5[Resource::${finding}]`,
          reason:
            'execute-api:ManageConnections on the connections of this stage only: connection ids are created ' +
            'at runtime, so the @connections path ends in a wildcard.',
        });
      }
    }
  }

  private streamTable(tables: GrantableResources['tables'], table: TableId): ITable {
    const resource = tables[table];
    if (resource.tableStreamArn === undefined) {
      throw new TypeError(`RealtimeGateway: table ${table} has no stream (tableDefinitions.${table}.stream)`);
    }
    return resource;
  }
}
