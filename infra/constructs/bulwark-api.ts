import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, CfnOutput, Fn, NestedStack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { LambdaDeploymentConfig } from 'aws-cdk-lib/aws-codedeploy';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RouteModule } from '../../shared/chain/route-module.js';
import { edgeCorsHeaders } from '../../shared/http/edge-cors-headers.js';
import { staticSecurityHeaders } from '../../shared/http/static-security-headers.js';
import { type SecretId, secretDefinitions } from '../../shared/resources/secret-definitions.js';
import type { TableId } from '../../shared/resources/table-definitions.js';
import type { GatewayFunction } from '../../shared/routes/realtime-gateway.js';
import {
  type CapacityClass,
  capacityClassOf,
  fallbackRoute,
  firstAdminFunction,
  type InvokedFunction,
  isSecuredFunction,
  type RouteDefinition,
  type RouteTable,
  type SecuredFunction,
} from '../../shared/routes/route-definition.js';
import { routeIn } from '../../shared/routes/route-in.js';
import {
  LAMBDA_MINIMUM_UNRESERVED_CONCURRENCY,
  type RuntimeSettings,
  runtimeEnvironment,
  type StageConfig,
} from '../config.js';
import { bulwarkPackageRoot, repositoryRoot } from '../repository-root.js';
import { AlarmTopic } from './alarm-topic.js';
import { ApiMonitoring } from './api-monitoring.js';
import { ApiWebAcl } from './api-web-acl.js';
import type { CanaryRelease } from './canary-release.js';
import { CanaryReleases } from './canary-releases.js';
import { functionLogGroupNameOf, functionLogGroupPrefixOf } from './function-log-groups.js';
import { GuardrailEvents } from './guardrail-events.js';
import { HealthProbe } from './health-probe.js';
import { grantLogTriage } from './log-triage-access.js';
import { LogsKey } from './logs-key.js';
import { PreTrafficHook } from './pre-traffic-hook.js';
import { gatewayCapacityClassOf, RealtimeGateway } from './realtime-gateway.js';
import { type ApiRoute, RouteApi } from './route-api.js';
import { RouteFunction } from './route-function.js';
import { SavedQueries } from './saved-queries.js';
import { readerRoleNameOf, secretAccessOf } from './secret-readers.js';

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
  /**
   * The route modules (`route` of functions/<id>/route.ts) of the routes whose entry declares a body: API
   * Gateway's request model of each is generated from the body schema of the module's contract, the very
   * schema the function validates with. A route with a body and no module here is refused at synth.
   * Bulwark's own: `bulwarkRouteModules`.
   */
  readonly modules?: readonly RouteModule[];
  /** The app's root, holding package-lock.json; defaults to this repository. */
  readonly projectRoot?: string;
  /**
   * The signing-key rotation of the data stack (DataStack.signingKeyRotation): its errors and Secrets
   * Manager's failed rotations then page through this API's alarm topic.
   */
  readonly signingKeyRotation?: { readonly function: IFunction };
  /**
   * How many nested stacks hold the functions (ADR 0018): each function goes to the one a hash of its route
   * id picks, so adding or removing a route never moves another. Changing the count moves most functions
   * (new functions, log groups and deployment groups, and named alarms created in one stack while the old
   * stack still holds them): raise it only when a synth refuses a nested stack as too full. Default 8.
   */
  readonly functionStacks?: number;
  /**
   * The realtime gateway (ADR 0014): a WebSocket API whose functions are `gateway` (Bulwark's
   * `realtimeGateway`), released, granted and monitored like the routes. Required when `routes` holds
   * an entry with `realtime` (Bulwark's `realtimeRoutes`: the datasource token mint, publish).
   */
  readonly realtime?: { readonly gateway: readonly GatewayFunction[] };
}

/** Default number of nested stacks for the functions: 8 hold well over the 130 or so routes one REST API stack holds. */
export const defaultFunctionStacks = 8;

/**
 * The most functions one nested stack may hold. Each brings about 15 resources (function, role, policy,
 * log group, version, alias, deployment group, four alarms, subscription filter and permissions) and 4
 * outputs: 25 make about 380 resources and 110 outputs, below CloudFormation's 500 and 200 per stack.
 */
export const maxFunctionsPerStack = 25;

/**
 * The nested stack (0 to count - 1) of a route id's function: a stable hash of the id, so a function stays in
 * its stack whatever else the table gains or loses.
 */
export const functionStackOf = (routeId: string, count: number): number =>
  createHash('sha256').update(routeId).digest().readUInt32BE(0) % count;

/** The version `GET /health/full` reports: Bulwark's package version (not a commit, so unchanged code stays unchanged). */
const bulwarkVersion: string = (
  JSON.parse(readFileSync(join(bulwarkPackageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

const routeFunctionConstructId = (routeId: string): string =>
  routeId
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** Bulwark's layout: `functions/<id>/handler.ts` under the project root. */
const bulwarkEntry = (routeId: string): string => `functions/${routeId}/handler.ts`;

/**
 * Each route as the REST API builds it: a route whose entry declares a body gets the body schema of its
 * route module's contract. Refused at synth when the module is missing or validates no body, so no method
 * with a body goes without its model.
 */
const apiRoutesOf = (routes: RouteTable, modules: readonly RouteModule[]): ApiRoute[] =>
  routes.map((route) => {
    const { id, method, path, body } = route;
    if (body === undefined) return { id, method, path };
    const schema = modules.find((module) => module.id === id)?.contract?.body;
    if (schema === undefined) {
      throw new TypeError(
        `BulwarkApi: route ${id} declares a body, but no route module in \`modules\` validates one; ` +
          "pass the route modules (Bulwark's: bulwarkRouteModules) so its request model can be generated",
      );
    }
    return { id, method, path, body: { ...body, schema } };
  });

/** A function's capacity class: a route's or the fallback's by capacityClassOf, another's by its entry (`admin`). */
const invokedCapacityClassOf = (invoked: InvokedFunction): CapacityClass =>
  isSecuredFunction(invoked) ? capacityClassOf(invoked) : (invoked.capacity ?? 'admin');

const describeRoute = (route: RouteDefinition): string =>
  `${route.method} ${route.path}: ${route.description}`;

/**
 * The functions' reservations must leave Lambda's unreserved minimum of the account's quota, or the deploy
 * fails half-way with a Lambda error: refused at synth instead, naming the numbers.
 */
const assertReservationsFit = (
  config: StageConfig,
  functions: readonly SecuredFunction[],
  gateway: readonly GatewayFunction[],
): void => {
  const { capacity } = config;
  const classes = [
    ...functions.map(capacityClassOf),
    ...gateway.flatMap((entry) => gatewayCapacityClassOf(entry) ?? []),
  ];
  const reserved = classes.reduce((sum, each) => sum + capacity.classes[each].reservedConcurrency, 0);
  const available = capacity.accountConcurrency - LAMBDA_MINIMUM_UNRESERVED_CONCURRENCY;
  if (reserved > available) {
    throw new TypeError(
      `Stage ${config.stageName}: the ${classes.length} functions reserve ${reserved} concurrent executions, ` +
        `but an account quota of ${capacity.accountConcurrency} leaves only ${available} to reserve ` +
        `(Lambda keeps ${LAMBDA_MINIMUM_UNRESERVED_CONCURRENCY} unreserved). Lower capacity.classes or raise the quota.`,
    );
  }
};

/** Refused at synth: a nested stack that would hold more functions than maxFunctionsPerStack. */
const assertFunctionStacksFit = (count: number, functions: readonly { readonly id: string }[]): void => {
  if (!Number.isInteger(count) || count < 1) {
    throw new TypeError(`BulwarkApi: functionStacks must be a positive integer, got ${count}`);
  }
  const perStack = new Map<number, string[]>();
  for (const { id } of functions) {
    const index = functionStackOf(id, count);
    perStack.set(index, [...(perStack.get(index) ?? []), id]);
  }
  for (const [index, ids] of perStack) {
    if (ids.length > maxFunctionsPerStack) {
      throw new TypeError(
        `BulwarkApi: nested stack Functions${index} would hold ${ids.length} functions (${ids.join(', ')}), ` +
          `more than ${maxFunctionsPerStack}; raise functionStacks (it moves functions between stacks: ADR 0018)`,
      );
    }
  }
};

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
 * ApiMonitoring). Each function with its release, alarms and permissions lives in one of the nested stacks
 * `Functions<n>` (functionStackOf), so the stack grows by a method per route, not by every function's
 * resources (CloudFormation allows 500 per stack; ADR 0018). Bulwark's own stack is this construct over
 * Bulwark's table; a team's app is the same construct over its table (examples/orders-api).
 */
export class BulwarkApi extends Construct {
  readonly api: RestApi;
  readonly routeApi: RouteApi;
  readonly routeFunctions: ReadonlyMap<string, RouteFunction>;
  readonly fallbackFunction: RouteFunction;
  /** The first admin's key, issued through IAM only (functions/bootstrap-admin). */
  readonly firstAdminFunction: RouteFunction;
  readonly canaryReleases: CanaryReleases;
  /** The alias, alarms and deployment group of every function, keyed by route id (fallback included). */
  readonly releases: ReadonlyMap<string, CanaryRelease>;
  readonly webAcl: ApiWebAcl;
  readonly alarmTopic: AlarmTopic;
  readonly monitoring: ApiMonitoring;
  /** Logs Insights queries of the runbooks (429 by source, 503 by dependency, 401 by reason, one request). */
  readonly savedQueries: SavedQueries;
  readonly guardrailEvents: GuardrailEvents;
  readonly healthProbe: HealthProbe;
  /** Encrypts every log group of the API: access, execution, WAF and function logs. */
  readonly logsKey: LogsKey;
  /** Calls every new function version before CodeDeploy moves traffic to it. */
  readonly preTrafficHook: PreTrafficHook;
  /**
   * The nested stacks holding the functions with their releases, by index (functionStackOf): each
   * function's role, policy, log group, version, alias, deployment group, alarms and permissions.
   */
  readonly functionStacks: ReadonlyMap<number, NestedStack>;
  private readonly functionStackCount: number;
  private readonly nestedStacks = new Map<number, NestedStack>();
  /** The realtime gateway, when `realtime` is given. */
  readonly realtime: RealtimeGateway | undefined;

  constructor(scope: Construct, id: string, props: BulwarkApiProps) {
    super(scope, id);
    const { config, tables, secrets, routes, projectRoot = repositoryRoot, entryOf = bulwarkEntry } = props;
    const { operations } = config;
    assertReservationsFit(config, [...routes, fallbackRoute], props.realtime?.gateway ?? []);
    this.functionStackCount = props.functionStacks ?? defaultFunctionStacks;
    assertFunctionStacksFit(this.functionStackCount, [
      ...routes,
      fallbackRoute,
      firstAdminFunction,
      ...(props.realtime?.gateway ?? []),
    ]);
    this.functionStacks = this.nestedStacks;
    this.logsKey = new LogsKey(this, 'LogsKey', {
      stageName: config.stageName,
      removalPolicy: config.removalPolicy,
    });

    // One function per route and one for the fallback, each granted what the route table says it touches.
    const resources = { projectRoot, tables, secrets, entryOf };
    this.routeFunctions = new Map(
      routes.map((route) => [route.id, this.routeFunction(route, describeRoute(route), config, resources)]),
    );
    this.fallbackFunction = this.routeFunction(fallbackRoute, fallbackRoute.description, config, resources);
    // Not behind the API: an operator invokes it through IAM after the first deploy (README, Deploy).
    this.firstAdminFunction = this.routeFunction(firstAdminFunction, firstAdminFunction.description, config, {
      ...resources,
      noDeadLetterQueueReason:
        'Only an operator (aws lambda invoke, through IAM) invokes this function, synchronously; a dead-letter ' +
        'queue only receives failed asynchronous invocations, so it would stay empty. Failures are answered to the caller.',
    });

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
      ...(config.release === 'all-at-once'
        ? { deploymentConfig: LambdaDeploymentConfig.ALL_AT_ONCE, ignoreAlarms: true }
        : {}),
    });
    if (config.release === 'all-at-once' || config.overridden.length > 0) {
      // Printed by cdk synth/deploy: an emergency deploy is never silent.
      Annotations.of(this).addWarningV2(
        'bulwark:emergency-release',
        `Emergency deploy: ${config.release === 'all-at-once' ? 'new versions take all traffic at once, alarms ignored; ' : ''}` +
          `${config.overridden.length > 0 ? `overridden: ${config.overridden.join(', ')}; ` : ''}` +
          'deploy again without -c set:/-c release= to return to the stage file (docs/runbooks/rollout.md).',
      );
    }
    (this.canaryReleases.role.node.defaultChild as CfnRole).overrideLogicalId(keptIds.deploymentRole);
    // Every release is tried first: its route's request, unauthenticated, straight to the new version.
    this.preTrafficHook = new PreTrafficHook(this, 'PreTrafficHook', {
      config,
      projectRoot,
      application: this.canaryReleases.application,
      logEncryptionKey: this.logsKey.key,
    });
    for (const route of routes) {
      const fn = this.routeFunctions.get(route.id);
      if (fn !== undefined) {
        this.preTrafficHook.probe(fn.function, {
          method: route.method,
          path: route.path,
          jsonBody: route.body !== undefined,
        });
      }
    }
    // The fallback at a path no route serves: a 404 from the whole chain.
    this.preTrafficHook.probe(this.fallbackFunction.function, {
      method: 'GET',
      path: '/bulwark-pre-traffic-probe',
      jsonBody: false,
    });
    this.canaryReleases.runBeforeTraffic(this.preTrafficHook);
    const liveAlias = (routeId: string, fn: RouteFunction) => this.canaryReleases.release(routeId, fn).alias;
    const handlers = new Map([...this.routeFunctions].map(([id, fn]) => [id, liveAlias(id, fn)]));
    const fallback = liveAlias(fallbackRoute.id, this.fallbackFunction);
    this.releases = this.canaryReleases.releases;

    // The REST API: a method per route on its live alias, the fallback behind ANY, problem+json answers.
    const edgeHeaders = this.edgeHeaders(config.runtime.cors);
    this.routeApi = new RouteApi(this, keptIds.routeApi, {
      description: `Bulwark API (${config.stageName})`,
      config,
      routes: apiRoutesOf(routes, props.modules ?? []),
      handlers,
      fallback,
      edgeHeaders,
      // Each method at its capacity class's rate; ANY (preflight, 405) at the fallback's.
      throttles: {
        of: (route) => config.capacity.classes[capacityClassOf(routeIn(routes, route.id))],
        fallback: config.capacity.classes[capacityClassOf(fallbackRoute)],
      },
      logEncryptionKey: this.logsKey.key,
    });
    this.api = this.routeApi.api;
    // The functions refuse other Host headers: the stage's trusted hosts plus the API's own host name.
    const trustedHosts = Fn.join(',', [...config.runtime.trustedHosts, this.routeApi.executeApiHost]);
    for (const fn of [...this.routeFunctions.values(), this.fallbackFunction]) {
      fn.function.addEnvironment('TRUSTED_HOSTS', trustedHosts);
    }
    this.preTrafficHook.useHost(this.routeApi.executeApiHost);

    this.webAcl = new ApiWebAcl(this, 'Waf', {
      stage: this.api.deploymentStage,
      stageName: config.stageName,
      requestsPerIpPer5Minutes: operations.waf.requestsPerIpPer5Minutes,
      // Every route of the `credentials` class (login, refresh), and every route whose body holds a password.
      credentialPaths: routes.filter((route) => capacityClassOf(route) === 'credentials').map((r) => r.path),
      credentialRequestsPerIpPer5Minutes: operations.waf.credentialRequestsPerIpPer5Minutes,
      passwordRoutes: routes.filter((route) => route.body?.carriesPassword === true),
      bodyMaxBytes: config.runtime.bodyMaxBytes,
      trustProxyHops: config.runtime.trustProxyHops,
      // Headers that carry credentials: WAF redacts them from its logs.
      redactedHeaders: [...new Set(['authorization', config.runtime.auth.header])],
      responseHeaders: edgeHeaders,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      logEncryptionKey: this.logsKey.key,
    });

    this.savedQueries = new SavedQueries(this, 'Queries', {
      stageName: config.stageName,
      functionLogGroups: [...this.routeFunctions.values(), this.fallbackFunction].map((fn) => fn.logGroup),
      accessLogs: this.routeApi.accessLogs,
      wafLogs: this.webAcl.logGroup,
    });

    const allFunctions = [...this.routeFunctions, [fallbackRoute.id, this.fallbackFunction] as const];
    this.monitoring = new ApiMonitoring(this, 'Monitoring', {
      stageName: config.stageName,
      stage: this.api.deploymentStage,
      alarms: operations.alarms,
      topic: this.alarmTopic,
      functions: allFunctions.map(([routeId, fn]) => ({
        routeId,
        function: fn.function,
        timeout: config.functions.timeout,
        scope: fn,
      })),
      tables,
      webAcl: {
        name: this.webAcl.webAclName,
        rateRuleMetricNames: [
          this.webAcl.ruleMetricNames.rateLimitPerIp,
          this.webAcl.ruleMetricNames.credentialRateLimitPerIp,
        ],
        thresholds: operations.waf,
      },
      accessLogs: this.routeApi.accessLogs,
      capacity: config.capacity,
      ...(props.signingKeyRotation === undefined ? {} : { signingKeyRotation: props.signingKeyRotation }),
    });
    // The stack-wide alarms (limiter, dependencies, 5xx rate) also stop and roll back every release.
    this.canaryReleases.rollBackOn(this.monitoring.rolloutAlarms);

    this.realtime = this.realtimeGateway(props, resources);

    // Log triage reads the stage's function logs (every route's, the fallback's and the realtime gateway's,
    // ADR 0019) and asks one model.
    const logGroups = {
      prefix: functionLogGroupPrefixOf(this),
      functionIds: [
        ...this.routeFunctions.keys(),
        fallbackRoute.id,
        ...(this.realtime?.functions.keys() ?? []),
      ],
    };
    for (const route of routes) {
      if (route.capabilities?.includes('log-triage') === true) {
        const fn = this.routeFunctions.get(route.id);
        if (fn !== undefined) grantLogTriage(fn, logGroups, config.runtime.triage.modelId);
      }
    }

    // Guard-rail events from every function's log to the stage's bus, and the authenticated probe.
    const functions = [
      ...this.routeFunctions.values(),
      this.fallbackFunction,
      ...(this.realtime?.functions.values() ?? []),
    ];
    this.guardrailEvents = new GuardrailEvents(this, 'Guardrails', {
      config,
      projectRoot,
      topic: this.alarmTopic,
      sourceLogGroups: functions.map((fn) => fn.logGroup),
      logEncryptionKey: this.logsKey.key,
    });
    // The probe's secret goes under the data stack's secrets key, when the secrets come from one.
    const secretAccess = secretAccessOf(secrets.jwtSigningKeys);
    this.healthProbe = new HealthProbe(this, 'HealthProbe', {
      config,
      ...(secretAccess === undefined ? {} : { secretAccess }),
      projectRoot,
      apiUrl: this.api.url,
      topic: this.alarmTopic,
      deadLetterQueue: this.guardrailEvents.deadLetters,
      logEncryptionKey: this.logsKey.key,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Invoke URL of the stage' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topic.topicArn,
      description: 'Subscribe the on-call pager or e-mail here',
    });
    new CfnOutput(this, 'FirstAdminFunctionName', {
      value: this.firstAdminFunction.function.functionName,
      description: 'Invoke once after the first deploy to get the first admin API key (README, Deploy)',
    });
    new CfnOutput(this, 'GuardrailBusName', {
      value: this.guardrailEvents.bus.eventBusName,
      description: 'EventBridge bus of the HealthChanged guard-rail events',
    });
    new CfnOutput(this, 'HealthProbeSecretArn', {
      value: this.healthProbe.secret.secretArn,
      description:
        'Put the health-role API key here: {"api_key":"key_id:secret"} (docs/runbooks/guardrails.md)',
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
      logEncryptionKey: this.logsKey.key,
      // The gateway's functions go to the nested stacks like the routes' (ADR 0018).
      scopeOf: (functionId) => this.functionStackOf(functionId, props.config),
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
    secured: InvokedFunction,
    description: string,
    config: StageConfig,
    resources: Required<Pick<BulwarkApiProps, 'projectRoot' | 'tables' | 'secrets' | 'entryOf'>> & {
      readonly noDeadLetterQueueReason?: string;
    },
  ): RouteFunction {
    const { projectRoot, tables, secrets, entryOf, noDeadLetterQueueReason } = resources;
    const roleName = readerRoleNameOf(secured.id, secured.secrets, secrets);
    const fn = new RouteFunction(
      this.functionStackOf(secured.id, config),
      routeFunctionConstructId(secured.id),
      {
        routeId: secured.id,
        description,
        projectRoot,
        entry: entryOf(secured.id),
        config,
        // TRUSTED_HOSTS gains the API's own host name once the API exists (see the constructor).
        environment: { ...runtimeEnvironment(config.runtime), BULWARK_BUILD_VERSION: bulwarkVersion },
        ...(noDeadLetterQueueReason === undefined ? {} : { noDeadLetterQueueReason }),
        ...(roleName === undefined ? {} : { roleName }),
        memorySizeMb:
          secured.hashesPasswords === true
            ? config.functions.hashingMemorySizeMb
            : config.functions.memorySizeMb,
        reservedConcurrentExecutions:
          config.capacity.classes[invokedCapacityClassOf(secured)].reservedConcurrency,
        logEncryptionKey: this.logsKey.key,
        logGroupName: functionLogGroupNameOf(this, secured.id),
      },
    );
    fn.grantEntry(secured, { tables, secrets });
    for (const secretId of secured.secretMetadata ?? []) {
      fn.bindSecretMetadata(secrets[secretId], secretDefinitions[secretId]);
    }
    return fn;
  }

  /** The nested stack of a route id's function, made when its first function needs it. */
  private functionStackOf(routeId: string, config: StageConfig): NestedStack {
    const index = functionStackOf(routeId, this.functionStackCount);
    const existing = this.nestedStacks.get(index);
    if (existing !== undefined) return existing;
    const stack = new NestedStack(this, `Functions${index}`, {
      description: `Bulwark ${config.stageName}: route functions with their releases and alarms (group ${index})`,
    });
    this.nestedStacks.set(index, stack);
    return stack;
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
