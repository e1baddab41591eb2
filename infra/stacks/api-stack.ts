import { Annotations, CfnOutput, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
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
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  fallbackRoute,
  routes,
  type SecuredFunction,
  type TableGrant,
} from '../../shared/http/route-table.js';
import { type SecretId, secretDefinitions } from '../../shared/tables/secret-definitions.js';
import { type TableId, tableDefinitions } from '../../shared/tables/table-definitions.js';
import { runtimeEnvironment, type StageConfig, tracingOffReason } from '../config.js';
import { AlarmTopic } from '../constructs/alarm-topic.js';
import { ApiMonitoring } from '../constructs/api-monitoring.js';
import { ApiWebAcl } from '../constructs/api-web-acl.js';
import type { CanaryRelease } from '../constructs/canary-release.js';
import { CanaryReleases } from '../constructs/canary-releases.js';
import { edgeCorsHeaders } from '../constructs/edge-cors-headers.js';
import { ProblemGatewayResponses } from '../constructs/problem-gateway-responses.js';
import { RouteFunction } from '../constructs/route-function.js';
import { staticSecurityHeaders } from '../constructs/static-security-headers.js';
import { repositoryRoot } from '../repository-root.js';

export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  readonly tables: Readonly<Record<TableId, ITable>>;
  readonly secrets: Readonly<Record<SecretId, ISecret>>;
  /** Folder holding functions/<route-id>/handler.ts and package-lock.json; defaults to the repository. */
  readonly projectRoot?: string;
}

const routeFunctionConstructId = (routeId: string): string =>
  routeId
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

const authorizationReason =
  'Authentication is enforced inside the functions (API key read from a header and compared in constant ' +
  'time, per route `auth` in shared/http/route-table.ts) so local runs and the deployed API behave alike; ' +
  'no Cognito user pool exists in this design.';

/** Headers that carry credentials: WAF redacts them from its logs. */
const credentialHeaders = (config: StageConfig): string[] => [
  ...new Set(['authorization', config.runtime.authHeader.toLowerCase()]),
];

/**
 * The stateless stack: a regional REST API built from the route table, one function per route, and the
 * fallback function behind ANY for CORS preflight, 404 and 405. A WAF web ACL sits in front of the stage;
 * every function is released through its `live` alias as a CodeDeploy canary watched by alarms.
 */
export class ApiStack extends Stack {
  readonly api: RestApi;
  readonly routeFunctions: ReadonlyMap<string, RouteFunction>;
  readonly fallbackFunction: RouteFunction;
  /** The alias, alarms and deployment group of every function, keyed by route id (fallback included). */
  readonly releases: ReadonlyMap<string, CanaryRelease>;
  readonly canaryReleases: CanaryReleases;
  readonly webAcl: ApiWebAcl;
  readonly alarmTopic: AlarmTopic;
  readonly monitoring: ApiMonitoring;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    const { config, tables, secrets, projectRoot = repositoryRoot, ...stackProps } = props;
    super(scope, id, { terminationProtection: config.terminationProtection, ...stackProps });
    const { operations } = config;

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    this.api = new RestApi(this, 'RestApi', {
      description: `Bulwark API (${config.stageName})`,
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logging needs the account-level API Gateway CloudWatch role; CDK creates it here. It is
      // retained in every stage: the account setting points at the role of the last deployed stack, and
      // deleting the dev stack must not break the execution logs of prod in the same account.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.stageName,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
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
        ),
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

    // Answers API Gateway and WAF make themselves never pass through the functions' header middlewares.
    const edgeCors = edgeCorsHeaders(config.runtime.cors);
    if (edgeCors.unreadableBy !== undefined) {
      Annotations.of(this).addWarningV2(
        'bulwark:edge-cors',
        `${edgeCors.unreadableBy.length} CORS origins are allowed: answers made by API Gateway or WAF (throttling, ` +
          'WAF blocks, gateway errors) name none of them, so browsers there see a network error instead of ' +
          'the status. One origin per stage, or a proxy that answers CORS, avoids it (ADR 0012).',
      );
    }
    const edgeHeaders = { ...staticSecurityHeaders, ...edgeCors.headers };

    this.webAcl = new ApiWebAcl(this, 'Waf', {
      stage: this.api.deploymentStage,
      stageName: config.stageName,
      requestsPerIpPer5Minutes: operations.waf.requestsPerIpPer5Minutes,
      bodyMaxBytes: config.runtime.bodyMaxBytes,
      trustProxyHops: config.runtime.trustProxyHops,
      redactedHeaders: credentialHeaders(config),
      responseHeaders: edgeHeaders,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      stageName: config.stageName,
      removalPolicy: config.removalPolicy,
      ...(operations.alarms.email === undefined ? {} : { email: operations.alarms.email }),
    });
    this.monitoring = new ApiMonitoring(this, 'Monitoring', {
      stageName: config.stageName,
      stage: this.api.deploymentStage,
      alarms: operations.alarms,
      topic: this.alarmTopic,
    });

    // Every function serves through its `live` alias, which CodeDeploy moves to each new version as a canary.
    this.canaryReleases = new CanaryReleases(this, 'Deployments', {
      stageName: config.stageName,
      alarms: operations.alarms,
      topic: this.alarmTopic,
    });
    // The role's logical id from when the stack created it itself: moving it into CanaryReleases replaces nothing.
    (this.canaryReleases.role.node.defaultChild as CfnRole).overrideLogicalId('DeploymentRoleC7BBCF2C');
    this.canaryReleases.rollBackOn(this.monitoring.rolloutAlarms);
    this.releases = this.canaryReleases.releases;
    const release = (routeId: string, fn: RouteFunction): CanaryRelease =>
      this.canaryReleases.release(routeId, fn);

    new ProblemGatewayResponses(this, 'ProblemResponses', { api: this.api, headers: edgeHeaders });

    // Validates body and parameters against what a method declares (cdk-nag APIG2 requires both).
    const requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    // The API's own host name: the functions reject other Host headers (TRUSTED_HOSTS).
    const executeApiHost = `${this.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}`;
    const environment = {
      ...runtimeEnvironment(config.runtime),
      TRUSTED_HOSTS: Fn.join(',', [...config.runtime.trustedHosts, executeApiHost]),
    };

    /** Methods invoke the `live` alias, never $LATEST, so CodeDeploy decides which version serves them. */
    const addMethod = (resource: IResource, httpMethod: string, canary: CanaryRelease): Method => {
      const method = resource.addMethod(
        httpMethod,
        new LambdaIntegration(canary.alias, { allowTestInvoke: false }),
        {
          authorizationType: AuthorizationType.NONE,
          requestValidator,
        },
      );
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions-APIG4', reason: authorizationReason },
        { id: 'AwsSolutions-COG4', reason: authorizationReason },
      );
      return method;
    };

    /** Grants what the route table says the function touches, and nothing else. */
    const bindResources = (fn: RouteFunction, secured: SecuredFunction): void => {
      for (const [tableId, grants] of Object.entries(secured.tables) as [
        TableId,
        readonly TableGrant[] | undefined,
      ][]) {
        if (grants !== undefined) fn.bindTable(tables[tableId], tableDefinitions[tableId], grants);
      }
      for (const secretId of secured.secrets) fn.bindSecret(secrets[secretId], secretDefinitions[secretId]);
    };

    const routeFunctions = new Map<string, RouteFunction>();
    /** Every resource on the way to a route, keyed by path, so each gets the fallback exactly once. */
    const routeResources = new Map<string, IResource>();
    for (const route of routes) {
      const fn = new RouteFunction(this, routeFunctionConstructId(route.id), {
        routeId: route.id,
        description: `${route.method} ${route.path}: ${route.description}`,
        projectRoot,
        config,
        environment,
      });
      bindResources(fn, route);
      routeFunctions.set(route.id, fn);

      const resource = this.api.root.resourceForPath(route.path);
      addMethod(resource, route.method, release(route.id, fn));
      for (
        let current: IResource | undefined = resource;
        current !== undefined;
        current = current.parentResource
      ) {
        routeResources.set(current.path, current);
      }
    }
    this.routeFunctions = routeFunctions;

    // API Gateway prefers an explicit method over ANY, so on route resources ANY only receives OPTIONS
    // (CORS preflight) and wrong methods (405); on the root and /{proxy+} it receives unknown paths (404).
    this.fallbackFunction = new RouteFunction(this, routeFunctionConstructId(fallbackRoute.id), {
      routeId: fallbackRoute.id,
      description: fallbackRoute.description,
      projectRoot,
      config,
      environment,
    });
    bindResources(this.fallbackFunction, fallbackRoute);
    const fallbackRelease = release(fallbackRoute.id, this.fallbackFunction);
    for (const resource of routeResources.values()) addMethod(resource, 'ANY', fallbackRelease);
    addMethod(this.api.root.addResource('{proxy+}'), 'ANY', fallbackRelease);

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
}
