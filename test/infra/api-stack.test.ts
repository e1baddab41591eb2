import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StageName, stageConfig } from '../../infra/config.js';
import { ApiStack } from '../../infra/stacks/api-stack.js';
import { DataStack, secretLogicalId, tableLogicalId } from '../../infra/stacks/data-stack.js';
import {
  fallbackRoute,
  functionEntry,
  type RouteDefinition,
  routes,
  securedFunctions,
  type TableAccess,
} from '../../shared/http/route-table.js';
import { secretDefinitions } from '../../shared/tables/secret-definitions.js';
import { tableDefinitions } from '../../shared/tables/table-definitions.js';

type Json = Record<string, unknown>;
interface CfnResourceJson {
  readonly Type: string;
  readonly Properties: Json;
}

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Json;
};

/**
 * Handlers are not bundled here (bundling is skipped), but NodejsFunction still checks that each entry
 * exists; a stub tree keeps these tests independent of the handlers' progress. `npm run synth` bundles the
 * real ones.
 */
let stubRoot: string;
beforeAll(() => {
  stubRoot = mkdtempSync(join(tmpdir(), 'bulwark-infra-'));
  writeFileSync(join(stubRoot, 'package-lock.json'), '{}');
  for (const id of [...routes.map((route) => route.id), fallbackRoute.id]) {
    const entry = join(stubRoot, functionEntry(id));
    mkdirSync(dirname(entry), { recursive: true });
    writeFileSync(entry, 'export const handler = async () => ({ statusCode: 204 });\n');
  }
});
afterAll(() => rmSync(stubRoot, { recursive: true, force: true }));

const buildApp = (stage: StageName, extra?: (app: App) => void) => {
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false },
  });
  const config = stageConfig(stage);
  const env = { account: '123456789012', region: 'eu-west-1' };
  const data = new DataStack(app, `Bulwark-${stage}-Data`, { config, env });
  const api = new ApiStack(app, `Bulwark-${stage}-Api`, {
    config,
    env,
    tables: data.tables,
    secrets: data.secrets,
    projectRoot: stubRoot,
  });
  extra?.(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, api, data, config };
};

/** Resolves every AWS::ApiGateway::Resource of the template to its full path ('/' is the root). */
const resourcePaths = (template: Template): Map<string, string> => {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, CfnResourceJson>;
  const pathOf = (logicalId: string): string => {
    const resource = resources[logicalId];
    if (resource === undefined) throw new Error(`No API Gateway resource ${logicalId}`);
    const parent = resource.Properties.ParentId as Json;
    const parentPath = 'Ref' in parent ? pathOf(parent.Ref as string) : '';
    return `${parentPath}/${String(resource.Properties.PathPart)}`;
  };
  return new Map(Object.keys(resources).map((logicalId) => [logicalId, pathOf(logicalId)]));
};

interface MethodSummary {
  readonly path: string;
  readonly httpMethod: string;
  readonly integrationUri: string;
  readonly properties: Json;
}

const methodsOf = (template: Template): MethodSummary[] => {
  const paths = resourcePaths(template);
  const methods = template.findResources('AWS::ApiGateway::Method') as Record<string, CfnResourceJson>;
  return Object.values(methods).map(({ Properties }) => {
    const resourceId = Properties.ResourceId as Json;
    const path = 'Ref' in resourceId ? (paths.get(resourceId.Ref as string) ?? '?') : '/';
    return {
      path,
      httpMethod: String(Properties.HttpMethod),
      integrationUri: JSON.stringify((Properties.Integration as Json).Uri),
      properties: Properties,
    };
  });
};

const logicalIdOf = (api: ApiStack, routeId: string): string => {
  const routeFunction = routeId === fallbackRoute.id ? api.fallbackFunction : api.routeFunctions.get(routeId);
  if (routeFunction === undefined) throw new Error(`No function for route ${routeId}`);
  return api.getLogicalId(routeFunction.function.node.defaultChild as CfnFunction);
};

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Effect: string;
}

/** All statements of the identity policies attached to a function's role. */
const statementsOf = (template: Template, api: ApiStack, routeId: string): Statement[] => {
  const functionResource = template.findResources('AWS::Lambda::Function')[
    logicalIdOf(api, routeId)
  ] as CfnResourceJson;
  const roleLogicalId = ((functionResource.Properties.Role as Json)['Fn::GetAtt'] as string[])[0];
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, CfnResourceJson>;
  return Object.values(policies)
    .filter(({ Properties }) => JSON.stringify(Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap(({ Properties }) => (Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};

const actionsOf = (statements: readonly Statement[]): string[] =>
  statements.flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );

const environmentOf = (template: Template, api: ApiStack, routeId: string): Json => {
  const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(api, routeId)] as CfnResourceJson;
  return ((fn.Properties.Environment as Json).Variables ?? {}) as Json;
};

const dynamoDbWriteActions = [
  'dynamodb:BatchWriteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
];
const dynamoDbReadActions = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
];
const expectedTableActions = (access: TableAccess): string[] =>
  access === 'conditionalUpdate'
    ? ['dynamodb:UpdateItem']
    : access === 'conditionCheck'
      ? ['dynamodb:ConditionCheckItem']
      : [
          ...new Set(
            access === 'read'
              ? dynamoDbReadActions
              : access === 'write'
                ? dynamoDbWriteActions
                : [...dynamoDbReadActions, ...dynamoDbWriteActions],
          ),
        ].sort();

const routePathsWithAncestors = (): string[] => {
  const paths = new Set<string>(['/']);
  for (const route of routes) {
    const segments = route.path.split('/').filter((segment) => segment.length > 0);
    for (let depth = 1; depth <= segments.length; depth += 1)
      paths.add(`/${segments.slice(0, depth).join('/')}`);
  }
  return [...paths];
};

describe.each(['dev', 'prod'] as const)('the %s API stack', (stage) => {
  const built = buildApp(stage);
  const { api } = built;
  let template: Template;
  beforeAll(() => {
    // Throws when cdk-nag reports any unacknowledged finding in the app.
    template = Template.fromStack(api);
  });

  it('synthesizes with zero unacknowledged cdk-nag findings and no error annotations', () => {
    expect(template.findResources('AWS::ApiGateway::RestApi')).not.toEqual({});
    expect(Annotations.fromStack(api).findError('*', Match.anyValue())).toEqual([]);
  });

  it('is a regional REST API without API Gateway CORS preflight methods', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    expect(methodsOf(template).filter((method) => method.httpMethod === 'OPTIONS')).toEqual([]);
  });

  it.each(routes.map((route) => [route.id, route] as const))(
    'route %s has its own function and a method with its HTTP method on its path',
    (routeId, route: RouteDefinition) => {
      const functionLogicalId = logicalIdOf(api, routeId);
      expect(template.findResources('AWS::Lambda::Function')[functionLogicalId]).toBeDefined();
      const matching = methodsOf(template).filter(
        (method) => method.path === route.path && method.httpMethod === route.method,
      );
      expect(matching).toHaveLength(1);
      expect(matching[0]?.integrationUri).toContain(functionLogicalId);
    },
  );

  it('sends ANY on the root, on /{proxy+} and on every route resource to the fallback function', () => {
    const fallbackLogicalId = logicalIdOf(api, fallbackRoute.id);
    const anyMethods = methodsOf(template).filter((method) => method.httpMethod === 'ANY');
    const expectedPaths = [...routePathsWithAncestors(), '/{proxy+}'].sort();
    expect(anyMethods.map((method) => method.path).sort()).toEqual(expectedPaths);
    for (const method of anyMethods) expect(method.integrationUri).toContain(fallbackLogicalId);
  });

  it('leaves authentication to the functions and validates body and parameters on every method', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    const methods = methodsOf(template);
    expect(methods.length).toBe(routes.length + routePathsWithAncestors().length + 1);
    for (const method of methods) {
      expect(method.properties.AuthorizationType).toBe('NONE');
      expect(method.properties.RequestValidatorId).toBeDefined();
      expect((method.properties.Integration as Json).Type).toBe('AWS_PROXY');
    }
  });

  it('runs every function on nodejs24.x and arm64 with source maps and its own log group', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as CfnResourceJson[];
    expect(functions).toHaveLength(routes.length + 1);
    const logGroups = new Set<string>();
    for (const { Properties } of functions) {
      expect(Properties.Runtime).toBe('nodejs24.x');
      expect(Properties.Architectures).toEqual(['arm64']);
      expect(Properties.Handler).toBe('index.handler');
      expect(((Properties.Environment as Json).Variables as Json).NODE_OPTIONS).toBe('--enable-source-maps');
      const logGroup = (Properties.LoggingConfig as Json | undefined)?.LogGroup as Json | undefined;
      expect(logGroup).toBeDefined();
      logGroups.add(JSON.stringify(logGroup));
    }
    expect(logGroups.size).toBe(functions.length);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
  });

  it('gives no role the AWSLambdaBasicExecutionRole managed policy', () => {
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain(
      'AWSLambdaBasicExecutionRole',
    );
  });

  it('never grants a wildcard action', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as CfnResourceJson[];
    expect(policies.length).toBeGreaterThan(0);
    const actions = actionsOf(
      policies.flatMap(
        ({ Properties }) => (Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      ),
    );
    for (const action of actions) expect(action).not.toMatch(/(^\*$)|(:\*$)/);
  });

  it.each(securedFunctions.map((route) => [route.id, route] as const))(
    'grants route %s exactly the table and secret actions it asks for and sets their variables',
    (routeId, route) => {
      const statements = statementsOf(template, api, routeId);
      const environment = environmentOf(template, api, routeId);
      const dynamoDb = statements.filter((statement) =>
        actionsOf([statement]).some((a) => a.startsWith('dynamodb:')),
      );
      const secretsManager = statements.filter((statement) =>
        actionsOf([statement]).some((a) => a.startsWith('secretsmanager:')),
      );

      for (const definition of Object.values(tableDefinitions)) {
        const access = route.tables[definition.id];
        const onTable = dynamoDb.filter((statement) =>
          JSON.stringify(statement.Resource).includes(tableLogicalId(definition.id)),
        );
        if (access === undefined) {
          expect(onTable).toEqual([]);
          expect(environment[definition.environmentVariable]).toBeUndefined();
        } else {
          expect([...new Set(actionsOf(onTable))].sort()).toEqual(expectedTableActions(access));
          expect(JSON.stringify(environment[definition.environmentVariable])).toContain(
            tableLogicalId(definition.id),
          );
        }
      }
      expect(actionsOf(dynamoDb).length === 0).toBe(Object.keys(route.tables).length === 0);

      for (const definition of Object.values(secretDefinitions)) {
        const wanted = route.secrets.includes(definition.id);
        const onSecret = secretsManager.filter((statement) =>
          JSON.stringify(statement.Resource).includes(secretLogicalId(definition.id)),
        );
        if (wanted) {
          expect([...new Set(actionsOf(onSecret))].sort()).toEqual([
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
          ]);
          expect(JSON.stringify(environment[definition.environmentVariable])).toContain(
            secretLogicalId(definition.id),
          );
        } else {
          expect(onSecret).toEqual([]);
          expect(environment[definition.environmentVariable]).toBeUndefined();
        }
      }
      expect(actionsOf(secretsManager).length === 0).toBe(route.secrets.length === 0);

      // Anything else is logging (the function's own log group) or X-Ray tracing.
      const other = actionsOf(statements).filter(
        (action) => !action.startsWith('dynamodb:') && !action.startsWith('secretsmanager:'),
      );
      for (const action of other) expect(action).toMatch(/^(logs:(CreateLogStream|PutLogEvents)|xray:\w+)$/);
    },
  );

  it('passes the stage runtime settings and the API host to every function', () => {
    for (const routeId of [...routes.map((route) => route.id), fallbackRoute.id]) {
      const environment = environmentOf(template, api, routeId);
      expect(environment.ENVIRONMENT).toBe(built.config.runtime.environment);
      expect(environment.API_AUTH_STRATEGY).toBe('api_key');
      expect(environment.CORS_ALLOW_ORIGINS).toBe(built.config.runtime.cors.allowOrigins.join(','));
      expect(JSON.stringify(environment.TRUSTED_HOSTS)).toContain('.execute-api.');
    }
  });

  it('answers API Gateway rejections as application/problem+json that cannot be cached or sniffed', () => {
    const responses = template.findResources('AWS::ApiGateway::GatewayResponse') as Record<
      string,
      CfnResourceJson
    >;
    const byType = new Map(
      Object.values(responses).map(({ Properties }) => [Properties.ResponseType, Properties]),
    );
    for (const [type, problemType] of [
      ['DEFAULT_4XX', 'urn:bulwark:problem:gateway-4xx'],
      ['DEFAULT_5XX', 'urn:bulwark:problem:gateway-5xx'],
      ['THROTTLED', 'urn:bulwark:problem:gateway-4xx'],
      ['MISSING_AUTHENTICATION_TOKEN', 'urn:bulwark:problem:not-found'],
    ] as const) {
      const properties = byType.get(type);
      if (properties === undefined) throw new Error(`No gateway response of type ${type}`);
      expect(properties.ResponseParameters).toEqual({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.Cache-Control': "'no-store'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
      });
      const bodyTemplate = String((properties.ResponseTemplates as Json)['application/json']);
      const body = JSON.parse(bodyTemplate.replace('$context.error.messageString', '"message"')) as Json;
      expect(body.type).toBe(problemType);
      expect(typeof body.title).toBe('string');
      if (properties.StatusCode !== undefined) expect(body.status).toBe(Number(properties.StatusCode));
    }
    expect(byType.get('MISSING_AUTHENTICATION_TOKEN')?.StatusCode).toBe('404');
    expect(byType.get('THROTTLED')?.StatusCode).toBe('429');
  });

  it('logs access as JSON and execution errors, with the configured throttling', () => {
    const stages = Object.values(template.findResources('AWS::ApiGateway::Stage')) as CfnResourceJson[];
    expect(stages).toHaveLength(1);
    const properties = stages[0]?.Properties ?? {};
    const format = String((properties.AccessLogSetting as Json).Format);
    expect(JSON.parse(format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(properties.StageName).toBe(stage);
    expect(properties.TracingEnabled).toBe(built.config.tracingEnabled);
    expect(properties.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        ThrottlingRateLimit: built.config.throttling.rateLimitPerSecond,
        ThrottlingBurstLimit: built.config.throttling.burstLimit,
      }),
    ]);
  });
});

describe('the cdk-nag gate', () => {
  it('fails the synth on a finding nobody acknowledged', () => {
    const { app } = buildApp('dev', (scope) => {
      const stack = new Stack(scope, 'Unacknowledged', {
        env: { account: '123456789012', region: 'eu-west-1' },
      });
      new Secret(stack, 'SecretWithoutRotation');
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
  });
});
