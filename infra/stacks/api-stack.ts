import { fileURLToPath } from 'node:url';
import { CfnOutput, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
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
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  fallbackRoute,
  routes,
  type SecuredFunction,
  type TableAccess,
} from '../../shared/http/route-table.js';
import { type SecretId, secretDefinitions } from '../../shared/tables/secret-definitions.js';
import { type TableId, tableDefinitions } from '../../shared/tables/table-definitions.js';
import { runtimeEnvironment, type StageConfig } from '../config.js';
import { ProblemGatewayResponses } from '../constructs/problem-gateway-responses.js';
import { RouteFunction } from '../constructs/route-function.js';

/** The repository root (infra/stacks/ is two levels down); entries in the route table are relative to it. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

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

/**
 * The stateless stack: a regional REST API built from the route table, one function per route, and the
 * fallback function behind ANY for CORS preflight, 404 and 405.
 */
export class ApiStack extends Stack {
  readonly api: RestApi;
  readonly routeFunctions: ReadonlyMap<string, RouteFunction>;
  readonly fallbackFunction: RouteFunction;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    const { config, tables, secrets, projectRoot = repositoryRoot, ...stackProps } = props;
    super(scope, id, stackProps);

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
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'The WAF web ACL (rate-based and AWS managed rule groups) is added by the later infrastructure issue.',
    });

    new ProblemGatewayResponses(this, 'ProblemResponses', { api: this.api });

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

    const addMethod = (resource: IResource, httpMethod: string, fn: RouteFunction): Method => {
      const method = resource.addMethod(
        httpMethod,
        new LambdaIntegration(fn.function, { allowTestInvoke: false }),
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
      for (const [tableId, access] of Object.entries(secured.tables) as [
        TableId,
        TableAccess | undefined,
      ][]) {
        if (access !== undefined) fn.bindTable(tables[tableId], tableDefinitions[tableId], access);
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
      addMethod(resource, route.method, fn);
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
    for (const resource of routeResources.values()) addMethod(resource, 'ANY', this.fallbackFunction);
    addMethod(this.api.root.addResource('{proxy+}'), 'ANY', this.fallbackFunction);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Invoke URL of the stage' });
  }
}
