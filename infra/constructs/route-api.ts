import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  AwsIntegration,
  type CfnRestApi,
  EndpointType,
  type IModel,
  type IResource,
  LogGroupLogDestination,
  type Method,
  type MethodDeploymentOptions,
  MethodLoggingLevel,
  Model,
  type RequestValidator,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type * as z from 'zod';
import type { RouteBody, RouteDefinition } from '../../shared/routes/route-definition.js';
import { type StageConfig, type Throttle, tracingOffReason } from '../config.js';
import { ProblemGatewayResponses } from './problem-gateway-responses.js';
import { requestModelSchemaOf } from './request-model.js';

/** What the API needs of a route; every entry of a route table (RouteDefinition) is one. */
export type ApiRoute = Pick<RouteDefinition, 'id' | 'method' | 'path'> & {
  /** The entry's body with the schema its route module validates (the model is generated from it). */
  readonly body?: RouteBody & { readonly schema: z.core.$ZodType };
};

/**
 * TLS 1.3 only (API Gateway's enhanced security policy): legacy TLS 1.0-1.2 handshakes are refused. An
 * enhanced policy requires an endpoint access mode; STRICT also refuses requests whose SNI host is not this
 * API's. For clients that cannot speak TLS 1.3, `SecurityPolicy_TLS13_1_2_2021_06` keeps TLS 1.2 (ADR 0010).
 */
export const apiSecurityPolicy = 'SecurityPolicy_TLS13_1_3_2025_09';
export const apiEndpointAccessMode = 'STRICT';

/** Every HTTP method API Gateway routes; `ANY` on a resource receives those the resource has no method for. */
const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** Stage throttles per method (ADR 0010, "Blast radius"): each route's, and the fallback's `ANY`. */
export interface MethodThrottles {
  readonly of: (route: ApiRoute) => Throttle;
  /** What `ANY` on a route's resource receives: CORS preflights and other methods (405). */
  readonly fallback: Throttle;
}

/** The stage settings the API reads; a StageConfig is one. */
export type RouteApiSettings = Pick<
  StageConfig,
  'stageName' | 'logRetention' | 'removalPolicy' | 'tracingEnabled' | 'throttling'
>;

export interface RouteApiProps {
  /** Shown on the REST API in the console. */
  readonly description: string;
  readonly config: RouteApiSettings;
  /** One method per route: the route's HTTP method on its path. */
  readonly routes: readonly ApiRoute[];
  /**
   * What each route's method invokes, by route id: the function's `live` alias (CanaryReleases), so that
   * CodeDeploy decides which version serves the route. Never the unqualified function ($LATEST).
   */
  readonly handlers: ReadonlyMap<string, IFunction>;
  /**
   * What `ANY` invokes on the root, on `/{proxy+}` and on every resource on the way to a route: CORS
   * preflight, 404 and 405 (a live alias too).
   */
  readonly fallback: IFunction;
  /**
   * Headers every answer API Gateway makes itself carries, unquoted: the static security headers and the
   * static CORS headers (ProblemGatewayResponses).
   */
  readonly edgeHeaders: Readonly<Record<string, string>>;
  /** Per-method stage throttles; without them every method takes the stage-wide `throttling`. */
  readonly throttles?: MethodThrottles;
  /** Encrypts the access and execution logs, which hold client addresses. */
  readonly logEncryptionKey?: IKey;
}

const authorizationReason =
  'Authentication runs inside the functions: on every route whose `auth` is `required` in the route table, ' +
  'the security chain verifies an EdDSA-signed access token or an API key (API_AUTH_STRATEGY), so local ' +
  'runs and the deployed API behave alike; no Cognito user pool exists in this design.';

/**
 * The access log line: one JSON object per request. API Gateway substitutes `$context` variables into the
 * format without escaping them, so a variable a client controls (User-Agent, the raw path, a header, an
 * error message that could quote one) could close a string and add fields. Only variables API Gateway
 * itself produces are logged: ids, times, numbers, its own enumerations and the connecting address. The
 * User-Agent and the raw path are in the WAF logs, JSON-encoded; the gateway's error messages are in the
 * execution log group. Every value is quoted, so the format itself is JSON.
 */
export const accessLogFields: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  requestTimeEpoch: '$context.requestTimeEpoch',
  stage: '$context.stage',
  ip: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  errorType: '$context.error.responseType',
  wafResponseCode: '$context.wafResponseCode',
  tlsVersion: '$context.tlsVersion',
  cipherSuite: '$context.cipherSuite',
  xrayTraceId: '$context.xrayTraceId',
};

const accessLogFormat = AccessLogFormat.custom(JSON.stringify(accessLogFields));

/** `method.request.path.<name>` for every `{name}` segment: API Gateway requires them non-blank. */
const pathParametersOf = (path: string): Record<string, boolean> =>
  Object.fromEntries(
    [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((match) => [`method.request.path.${match[1]}`, true]),
  );

/** A stage method-settings key (`/path/METHOD`; the root is `//METHOD`). */
const methodKey = (path: string, method: string): string => `${path === '/' ? '/' : path}/${method}`;

/**
 * A regional REST API built from a list of routes, TLS 1.3 only: one method per route invoking that route's
 * handler, with the route's JSON-Schema model when it takes a body; the fallback behind `ANY` on every
 * resource that serves a route (CORS preflight, 405); nothing anywhere else, so API Gateway itself answers
 * unknown paths (404 problem+json) without invoking a function. A request validator on every method, JSON
 * access logs and execution errors in log groups of its own, per-method throttles, and problem+json for
 * every answer API Gateway makes itself. Authentication is the functions' job: every method is open at the
 * gateway (ADR 0003).
 */
export class RouteApi extends Construct {
  readonly api: RestApi;
  readonly accessLogs: LogGroup;
  readonly executionLogs: LogGroup;
  readonly requestValidator: RequestValidator;
  /** The request model of each route that takes a body, by route id. */
  readonly models: ReadonlyMap<string, IModel>;
  /** The API's own host name, `<api id>.execute-api.<region>.<url suffix>` (a deploy-time value). */
  readonly executeApiHost: string;
  /** The stage's name (config.stageName), as a string: permissions name the stage by it. */
  private readonly stageName: string;

  constructor(scope: Construct, id: string, props: RouteApiProps) {
    super(scope, id);
    const { config } = props;

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
      ...(props.logEncryptionKey === undefined ? {} : { encryptionKey: props.logEncryptionKey }),
    });
    const methodSettings = {
      loggingLevel: MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: true,
    } as const satisfies MethodDeploymentOptions;
    this.api = new RestApi(this, 'RestApi', {
      description: props.description,
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logging needs the account-level API Gateway CloudWatch role; CDK creates it here. It is
      // retained in every stage: the account setting points at the role of the last deployed stack, and
      // deleting the dev stack must not break the execution logs of prod in the same account.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.stageName,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat,
        ...methodSettings,
        tracingEnabled: config.tracingEnabled,
        throttlingRateLimit: config.throttling.rateLimitPerSecond,
        throttlingBurstLimit: config.throttling.burstLimit,
        ...(props.throttles === undefined
          ? {}
          : { methodOptions: methodThrottleOptions(props.routes, props.throttles, methodSettings) }),
      },
    });
    const cfnApi = this.api.node.defaultChild as CfnRestApi;
    cfnApi.securityPolicy = apiSecurityPolicy;
    cfnApi.endpointAccessMode = apiEndpointAccessMode;

    // API Gateway creates the execution log group itself on the first error, without retention or a key;
    // created here first, it gets both.
    this.executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${config.stageName}`,
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
      ...(props.logEncryptionKey === undefined ? {} : { encryptionKey: props.logEncryptionKey }),
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole !== undefined) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'Account-level role API Gateway assumes to write execution logs for every API in the region; the ' +
          'AWS-managed policy is the documented one and log group names are chosen by API Gateway, so an ' +
          'inline policy could not be narrower.',
      });
    }
    if (!config.tracingEnabled) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'Serverless-APIGWXrayEnabled',
        reason: tracingOffReason,
      });
    }
    const stack = Stack.of(this);
    this.stageName = config.stageName;
    this.executeApiHost = `${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;

    new ProblemGatewayResponses(this, 'ProblemResponses', { api: this.api, headers: props.edgeHeaders });

    // Validates body and parameters against what a method declares (cdk-nag APIG2 requires both).
    this.requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    /** Every resource that serves a route, keyed by path, so each gets the fallback exactly once. */
    const routeResources = new Map<string, IResource>();
    const models = new Map<string, IModel>();
    for (const route of props.routes) {
      const handler = props.handlers.get(route.id);
      if (handler === undefined) throw new TypeError(`RouteApi: no handler for route "${route.id}"`);
      const resource = this.api.root.resourceForPath(route.path);
      // A body that may be left out cannot be a model: API Gateway would judge the absent body by it.
      const model =
        route.body === undefined || route.body.optional === true
          ? undefined
          : new Model(this, `${modelConstructId(route.id)}Model`, {
              restApi: this.api,
              contentType: 'application/json',
              description: `Body of ${route.method} ${route.path}, generated from the zod schema of ${route.id}`,
              schema: requestModelSchemaOf(route.body.schema),
            });
      if (model !== undefined) models.set(route.id, model);
      this.addMethod(resource, route.method, handler, {
        ...(model === undefined ? {} : { requestModels: { 'application/json': model } }),
        requestParameters: pathParametersOf(route.path),
      });
      routeResources.set(resource.path, resource);
    }
    this.models = models;

    // API Gateway prefers an explicit method over ANY, so ANY only receives OPTIONS (CORS preflight) and
    // wrong methods (405). No ANY on the root, on resources without a route or on /{proxy+}: API Gateway
    // answers other paths itself (MISSING_AUTHENTICATION_TOKEN, a 404 problem), at no function's cost.
    // The fallback answers any method on any of these paths: one permission for this API's stage, any
    // method and path, instead of one per path (its resource policy would pass Lambda's 20 KB limit at
    // about 60 paths, and its nested stack would grow with every path).
    props.fallback.addPermission('ApiPermission.ANY', {
      principal: new ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: this.api.arnForExecuteApi('*', '/*', this.stageName),
    });
    for (const resource of routeResources.values()) {
      this.addMethod(resource, 'ANY', props.fallback, {}, { permitted: true });
    }
  }

  /**
   * A method open at the gateway (the functions authenticate), validated, invoking `handler`, which API
   * Gateway may invoke from this method alone (unless `permitted`: the handler has a wider permission).
   */
  private addMethod(
    resource: IResource,
    httpMethod: string,
    handler: IFunction,
    options: { requestModels?: Record<string, IModel>; requestParameters?: Record<string, boolean> } = {},
    { permitted = false }: { readonly permitted?: boolean } = {},
  ): Method {
    // Lambda proxy integration, as LambdaIntegration builds it, but API Gateway's permission to invoke is made
    // beside the function (its nested stack, ADR 0018), not beside the method: this stack then gains only
    // the method for a route. Scoped to the method, its path and the stage, named by its name: a reference
    // to the stage would make the function's stack wait for the stage, whose deployment waits for it. No
    // test-invoke permission (the console's test button), as before.
    const method = resource.addMethod(
      httpMethod,
      new AwsIntegration({
        proxy: true,
        service: 'lambda',
        path: `2015-03-31/functions/${handler.functionArn}/invocations`,
      }),
      {
        authorizationType: AuthorizationType.NONE,
        requestValidator: this.requestValidator,
        ...options,
      },
    );
    if (!permitted) {
      handler.addPermission(`ApiPermission.${httpMethod}.${resource.path.replaceAll('/', '.')}`, {
        principal: new ServicePrincipal('apigateway.amazonaws.com'),
        sourceArn: this.api.arnForExecuteApi(httpMethod, resource.path, this.stageName),
      });
    }
    Validations.of(method).acknowledge(
      { id: 'AwsSolutions-APIG4', reason: authorizationReason },
      { id: 'AwsSolutions-COG4', reason: authorizationReason },
    );
    return method;
  }
}

/** `create-api-key` becomes `CreateApiKey`. */
const modelConstructId = (routeId: string): string =>
  routeId
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/**
 * The stage's method settings: each route's method gets its throttle, and every other method on a route's
 * resource (what ANY receives) the fallback's. Stage method settings name real HTTP methods, never ANY.
 * Each entry repeats the stage's logging and metrics, which a per-method entry would otherwise turn off.
 */
const methodThrottleOptions = (
  routes: readonly ApiRoute[],
  throttles: MethodThrottles,
  settings: MethodDeploymentOptions,
): Record<string, MethodDeploymentOptions> => {
  const options: Record<string, MethodDeploymentOptions> = {};
  const withThrottle = (throttle: Throttle): MethodDeploymentOptions => ({
    ...settings,
    throttlingRateLimit: throttle.rateLimitPerSecond,
    throttlingBurstLimit: throttle.burstLimit,
  });
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    options[methodKey(route.path, route.method)] = withThrottle(throttles.of(route));
    methodsByPath.set(route.path, (methodsByPath.get(route.path) ?? new Set()).add(route.method));
  }
  for (const [path, methods] of methodsByPath) {
    for (const method of httpMethods) {
      if (!methods.has(method)) options[methodKey(path, method)] = withThrottle(throttles.fallback);
    }
  }
  return options;
};
