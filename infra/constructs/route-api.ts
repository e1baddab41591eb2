import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  type RequestValidator,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../shared/routes/route-definition.js';
import { type StageConfig, tracingOffReason } from '../config.js';
import { ProblemGatewayResponses } from './problem-gateway-responses.js';

/** What the API needs of a route; every entry of a route table (RouteDefinition) is one. */
export type ApiRoute = Pick<RouteDefinition, 'id' | 'method' | 'path'>;

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
}

const authorizationReason =
  'Authentication runs inside the functions: on every route whose `auth` is `required` in the route table, ' +
  'the security chain verifies an EdDSA-signed access token or an API key (API_AUTH_STRATEGY), so local ' +
  'runs and the deployed API behave alike; no Cognito user pool exists in this design.';

/** One JSON object per request; API Gateway fills in the `$context` variables. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    extendedRequestId: AccessLogField.contextExtendedRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    ip: AccessLogField.contextIdentitySourceIp(),
    userAgent: AccessLogField.contextIdentityUserAgent(),
    httpMethod: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    path: AccessLogField.contextPath(),
    protocol: AccessLogField.contextProtocol(),
    status: AccessLogField.contextStatus(),
    responseLength: AccessLogField.contextResponseLength(),
    responseLatencyMs: AccessLogField.contextResponseLatency(),
    integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
    integrationStatus: AccessLogField.contextIntegrationStatus(),
    errorType: AccessLogField.contextErrorResponseType(),
    errorMessage: AccessLogField.contextErrorMessage(),
    xrayTraceId: AccessLogField.contextXrayTraceId(),
  }),
);

/**
 * A regional REST API built from a list of routes: one method per route invoking that route's handler, the
 * fallback behind `ANY` everywhere else, a request validator on every method, JSON access logs, execution
 * errors logged, stage-wide throttling, and problem+json for every answer API Gateway makes itself.
 * Authentication is the functions' job: every method is open at the gateway (ADR 0003).
 */
export class RouteApi extends Construct {
  readonly api: RestApi;
  readonly accessLogs: LogGroup;
  readonly requestValidator: RequestValidator;
  /** The API's own host name, `<api id>.execute-api.<region>.<url suffix>` (a deploy-time value). */
  readonly executeApiHost: string;

  constructor(scope: Construct, id: string, props: RouteApiProps) {
    super(scope, id);
    const { config } = props;

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
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
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: config.tracingEnabled,
        throttlingRateLimit: config.throttling.rateLimitPerSecond,
        throttlingBurstLimit: config.throttling.burstLimit,
      },
    });
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
    this.executeApiHost = `${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;

    new ProblemGatewayResponses(this, 'ProblemResponses', { api: this.api, headers: props.edgeHeaders });

    // Validates body and parameters against what a method declares (cdk-nag APIG2 requires both).
    this.requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    /** Every resource on the way to a route, keyed by path, so each gets the fallback exactly once. */
    const routeResources = new Map<string, IResource>();
    for (const route of props.routes) {
      const handler = props.handlers.get(route.id);
      if (handler === undefined) throw new TypeError(`RouteApi: no handler for route "${route.id}"`);
      const resource = this.api.root.resourceForPath(route.path);
      this.addMethod(resource, route.method, handler);
      for (
        let current: IResource | undefined = resource;
        current !== undefined;
        current = current.parentResource
      ) {
        routeResources.set(current.path, current);
      }
    }

    // API Gateway prefers an explicit method over ANY, so on route resources ANY only receives OPTIONS
    // (CORS preflight) and wrong methods (405); on the root and /{proxy+} it receives unknown paths (404).
    for (const resource of routeResources.values()) this.addMethod(resource, 'ANY', props.fallback);
    this.addMethod(this.api.root.addResource('{proxy+}'), 'ANY', props.fallback);
  }

  /** A method open at the gateway (the functions authenticate), validated, invoking `handler`. */
  private addMethod(resource: IResource, httpMethod: string, handler: IFunction): Method {
    const method = resource.addMethod(
      httpMethod,
      new LambdaIntegration(handler, { allowTestInvoke: false }),
      {
        authorizationType: AuthorizationType.NONE,
        requestValidator: this.requestValidator,
      },
    );
    Validations.of(method).acknowledge(
      { id: 'AwsSolutions-APIG4', reason: authorizationReason },
      { id: 'AwsSolutions-COG4', reason: authorizationReason },
    );
    return method;
  }
}
