import { Annotations, CfnOutput, Fn } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SecretId } from '../../shared/resources/secret-definitions.js';
import type { TableId } from '../../shared/resources/table-definitions.js';
import type { GatewayFunction } from '../../shared/routes/realtime-gateway.js';
import {
  fallbackRoute,
  type RouteDefinition,
  type RouteTable,
  type SecuredFunction,
} from '../../shared/routes/route-definition.js';
import { type RuntimeSettings, runtimeEnvironment, type StageConfig } from '../config.js';
import { repositoryRoot } from '../repository-root.js';
import { AlarmTopic } from './alarm-topic.js';
import { ApiMonitoring } from './api-monitoring.js';
import { ApiWebAcl } from './api-web-acl.js';
import type { CanaryRelease } from './canary-release.js';
import { CanaryReleases } from './canary-releases.js';
import { edgeCorsHeaders } from './edge-cors-headers.js';
import { RealtimeGateway } from './realtime-gateway.js';
import { RouteApi } from './route-api.js';
import { RouteFunction } from './route-function.js';
import { staticSecurityHeaders } from './static-security-headers.js';

export interface BulwarkApiProps {
  readonly config: StageConfig;
  readonly tables: Readonly<Record<TableId, ITable>>;
  readonly secrets: Readonly<Record<SecretId, ISecret>>;
  /**
   * Every route the API serves: Bulwark's own (`bulwarkRoutes`), a team's, or both in one table built
   * with defineRoutes(). Each gets a function, a method, the grants its entry declares, and a canary.
   */
  readonly routes: RouteTable;
  /**
   * The handler module of each route id and of `route-fallback`, relative to projectRoot (or absolute).
   * A team's fallback must be built from the same table (`routeFallback(appRoutes)`), so preflights and
   * 405s know every route. Defaults to Bulwark's layout: `functions/<id>/handler.ts`.
   */
  readonly entryOf?: (routeId: string) => string;
  /** The app's root, holding package-lock.json; defaults to this repository. */
  readonly projectRoot?: string;
  /**
   * The realtime gateway (ADR 0014): a WebSocket API whose functions are `gateway` (Bulwark's
   * `realtimeGateway`), released, granted and monitored like the routes. Required when `routes` holds
   * an entry with `realtime` (Bulwark's `realtimeRoutes`: the datasource token mint, publish).
   */
  readonly realtime?: { readonly gateway: readonly GatewayFunction[] };
}

const routeFunctionConstructId = (routeId: string): string =>
  routeId
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** Bulwark's layout: `functions/<id>/handler.ts` under the project root. */
const bulwarkEntry = (routeId: string): string => `functions/${routeId}/handler.ts`;

const describeRoute = (route: RouteDefinition): string =>
  `${route.method} ${route.path}: ${route.description}`;

/**
 * Construct ids that keep the logical ids the stack's resources had before RouteApi and CanaryReleases held
 * them, so that no deploy replaces them (a second REST API would get a new URL, and its stage and resources
 * would collide with the first). CDK leaves the id `Default` out of logical ids, as RestApi does for its
 * root resource: RouteApi sits under it, and the CodeDeploy application is the `Default` child of
 * CanaryReleases under the application's old id. The CodeDeploy role's old logical id is written out.
 */
const keptIds = {
  routeApi: 'Default',
  canaryReleases: 'Deployments',
  deploymentRole: 'DeploymentRoleC7BBCF2C',
} as const;

/**
 * Bulwark in front of a route table, composed from constructs: one RouteFunction per entry of the table plus
 * the fallback, each released through its `live` alias as a CodeDeploy canary (CanaryReleases); a regional
 * REST API with a method per route and the fallback behind ANY for CORS preflight, 404 and 405 (RouteApi);
 * a WAF web ACL in front of the stage (ApiWebAcl); alarms, their topic and the dashboard (AlarmTopic,
 * ApiMonitoring). Bulwark's own stack is this construct over Bulwark's table; a team's app is the same
 * construct over its table (examples/orders-api).
 */
export class BulwarkApi extends Construct {
  readonly api: RestApi;
  readonly routeApi: RouteApi;
  readonly routeFunctions: ReadonlyMap<string, RouteFunction>;
  readonly fallbackFunction: RouteFunction;
  readonly canaryReleases: CanaryReleases;
  /** The alias, alarms and deployment group of every function, keyed by route id (fallback included). */
  readonly releases: ReadonlyMap<string, CanaryRelease>;
  readonly webAcl: ApiWebAcl;
  readonly alarmTopic: AlarmTopic;
  readonly monitoring: ApiMonitoring;
  /** The realtime gateway, when `realtime` is given. */
  readonly realtime: RealtimeGateway | undefined;

  constructor(scope: Construct, id: string, props: BulwarkApiProps) {
    super(scope, id);
    const { config, tables, secrets, routes, projectRoot = repositoryRoot, entryOf = bulwarkEntry } = props;
    const { operations } = config;

    // One function per route and one for the fallback, each granted what the route table says it touches.
    const resources = { projectRoot, tables, secrets, entryOf };
    this.routeFunctions = new Map(
      routes.map((route) => [route.id, this.routeFunction(route, describeRoute(route), config, resources)]),
    );
    this.fallbackFunction = this.routeFunction(fallbackRoute, fallbackRoute.description, config, resources);

    // Every alarm notifies one topic. Each function serves through its `live` alias, which CodeDeploy moves
    // to every new version as a canary.
    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      stageName: config.stageName,
      removalPolicy: config.removalPolicy,
      ...(operations.alarms.email === undefined ? {} : { email: operations.alarms.email }),
    });
    this.canaryReleases = new CanaryReleases(this, keptIds.canaryReleases, {
      stageName: config.stageName,
      alarms: operations.alarms,
      topic: this.alarmTopic,
    });
    (this.canaryReleases.role.node.defaultChild as CfnRole).overrideLogicalId(keptIds.deploymentRole);
    const liveAlias = (routeId: string, fn: RouteFunction) => this.canaryReleases.release(routeId, fn).alias;
    const handlers = new Map([...this.routeFunctions].map(([id, fn]) => [id, liveAlias(id, fn)]));
    const fallback = liveAlias(fallbackRoute.id, this.fallbackFunction);
    this.releases = this.canaryReleases.releases;

    // The REST API: a method per route on its live alias, the fallback behind ANY, problem+json answers.
    const edgeHeaders = this.edgeHeaders(config.runtime.cors);
    this.routeApi = new RouteApi(this, keptIds.routeApi, {
      description: `Bulwark API (${config.stageName})`,
      config,
      routes,
      handlers,
      fallback,
      edgeHeaders,
    });
    this.api = this.routeApi.api;
    // The functions refuse other Host headers: the stage's trusted hosts plus the API's own host name.
    const trustedHosts = Fn.join(',', [...config.runtime.trustedHosts, this.routeApi.executeApiHost]);
    for (const fn of [...this.routeFunctions.values(), this.fallbackFunction]) {
      fn.function.addEnvironment('TRUSTED_HOSTS', trustedHosts);
    }

    this.webAcl = new ApiWebAcl(this, 'Waf', {
      stage: this.api.deploymentStage,
      stageName: config.stageName,
      requestsPerIpPer5Minutes: operations.waf.requestsPerIpPer5Minutes,
      bodyMaxBytes: config.runtime.bodyMaxBytes,
      trustProxyHops: config.runtime.trustProxyHops,
      // Headers that carry credentials: WAF redacts them from its logs.
      redactedHeaders: [...new Set(['authorization', config.runtime.auth.header])],
      responseHeaders: edgeHeaders,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    this.monitoring = new ApiMonitoring(this, 'Monitoring', {
      stageName: config.stageName,
      stage: this.api.deploymentStage,
      alarms: operations.alarms,
      topic: this.alarmTopic,
    });
    // The stack-wide alarms (limiter, dependencies, 5xx rate) also stop and roll back every release.
    this.canaryReleases.rollBackOn(this.monitoring.rolloutAlarms);

    this.realtime = this.realtimeGateway(props, resources);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Invoke URL of the stage' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topic.topicArn,
      description: 'Subscribe the on-call pager or e-mail here',
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.monitoring.dashboard.dashboardName,
      description: 'CloudWatch dashboard of the stage',
    });
  }

  /**
   * The realtime gateway and what routes need of it (the WebSocket URL, the management API); its alarms
   * roll back every release too. A table with realtime routes but no gateway fails the synth.
   */
  private realtimeGateway(
    props: BulwarkApiProps,
    resources: Required<Pick<BulwarkApiProps, 'projectRoot' | 'tables' | 'secrets' | 'entryOf'>>,
  ): RealtimeGateway | undefined {
    const needing = props.routes.filter((route) => route.realtime !== undefined);
    if (props.realtime === undefined) {
      if (needing.length > 0) {
        throw new TypeError(
          `BulwarkApi: routes ${needing.map((route) => route.id).join(', ')} need the realtime gateway; ` +
            'pass realtime: { gateway: realtimeGateway }',
        );
      }
      return undefined;
    }
    const gateway = new RealtimeGateway(this, 'Realtime', {
      config: props.config,
      resources: { tables: resources.tables, secrets: resources.secrets },
      functions: props.realtime.gateway,
      projectRoot: resources.projectRoot,
      entryOf: resources.entryOf,
      canaryReleases: this.canaryReleases,
      alarmTopic: this.alarmTopic,
      dashboard: this.monitoring.dashboard,
      ...(this.api.node.tryFindChild('Account') === undefined
        ? {}
        : { loggingRole: this.api.node.findChild('Account') }),
      environment: runtimeEnvironment(props.config.runtime),
    });
    for (const route of needing) {
      const fn = this.routeFunctions.get(route.id);
      if (fn !== undefined && route.realtime !== undefined) gateway.connectionsFor(fn, route.realtime);
    }
    this.canaryReleases.rollBackOn(gateway.monitoring.rolloutAlarms);
    new CfnOutput(this, 'RealtimeUrl', {
      value: gateway.stage.url,
      description: 'WebSocket URL of the realtime gateway (the datasource token mint returns it too)',
    });
    return gateway;
  }

  /** A route's function (RouteFunction), granted what the route table says it touches and nothing else. */
  private routeFunction(
    secured: SecuredFunction,
    description: string,
    config: StageConfig,
    resources: Required<Pick<BulwarkApiProps, 'projectRoot' | 'tables' | 'secrets' | 'entryOf'>>,
  ): RouteFunction {
    const { projectRoot, tables, secrets, entryOf } = resources;
    const fn = new RouteFunction(this, routeFunctionConstructId(secured.id), {
      routeId: secured.id,
      description,
      projectRoot,
      entry: entryOf(secured.id),
      config,
      // TRUSTED_HOSTS gains the API's own host name once the API exists (see the constructor).
      environment: runtimeEnvironment(config.runtime),
    });
    fn.grantEntry(secured, { tables, secrets });
    return fn;
  }

  /**
   * Headers every answer API Gateway and WAF make themselves carries: they never pass through the functions'
   * header middlewares. Warns when several CORS origins leave those answers unreadable to browsers.
   */
  private edgeHeaders(cors: RuntimeSettings['cors']): Readonly<Record<string, string>> {
    const edgeCors = edgeCorsHeaders(cors);
    if (edgeCors.unreadableBy !== undefined) {
      Annotations.of(this).addWarningV2(
        'bulwark:edge-cors',
        `${edgeCors.unreadableBy.length} CORS origins are allowed: answers made by API Gateway or WAF (throttling, ` +
          'WAF blocks, gateway errors) name none of them, so browsers there see a network error instead of ' +
          'the status. One origin per stage, or a proxy that answers CORS, avoids it (ADR 0012).',
      );
    }
    return { ...staticSecurityHeaders, ...edgeCors.headers };
  }
}
