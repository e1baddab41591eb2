import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { type CfnFunction, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StageConfig, type StageName, stageConfig } from '../../infra/config.js';
import { ScopedNagPack } from '../../infra/constructs/scoped-nag-pack.js';
import { ApiStack } from '../../infra/stacks/api-stack.js';
import { DataStack, secretLogicalId, tableLogicalId } from '../../infra/stacks/data-stack.js';
import { limiterOutcomes } from '../../shared/domain/rate-limit/limiter-metrics.js';
import { gatewayCatchAllProblemTypes, problemTypes } from '../../shared/errors/problem-types.js';
import { secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { tableDefinitions } from '../../shared/resources/table-definitions.js';
import {
  type GatewayFunction,
  gatewayFunctionIds,
  realtimeGateway,
} from '../../shared/routes/realtime-gateway.js';
import type { RouteDefinition, SecuredFunction, TableGrant } from '../../shared/routes/route-definition.js';
import { fallbackRoute, functionEntry, routes, securedFunctions } from '../../shared/routes/route-table.js';

type Json = Record<string, unknown>;

/** The gateway functions API Gateway invokes (the revocation function reads streams instead). */
const webSocketFunctionIds = realtimeGateway
  .filter((fn) => fn.trigger.kind === 'websocket')
  .map((fn) => fn.id);
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
  for (const id of [...routes.map((route) => route.id), fallbackRoute.id, ...gatewayFunctionIds()]) {
    const entry = join(stubRoot, functionEntry(id));
    mkdirSync(dirname(entry), { recursive: true });
    writeFileSync(entry, 'export const handler = async () => ({ statusCode: 204 });\n');
  }
});
afterAll(() => rmSync(stubRoot, { recursive: true, force: true }));

const buildApp = (
  stage: StageName,
  extra?: (app: App) => void,
  configure: (config: StageConfig) => StageConfig = (config) => config,
) => {
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false },
  });
  const config = configure(stageConfig(stage));
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
  // The same packs as infra/app.ts.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  Validations.of(app).addPlugins(new ScopedNagPack(new ServerlessChecks(), [api]));
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

/** The logical ID of a function's `live` alias (what the methods must invoke). */
const aliasLogicalIdOf = (api: ApiStack, routeId: string): string => {
  const release = api.releases.get(routeId);
  if (release === undefined) throw new Error(`No release for route ${routeId}`);
  return api.getLogicalId(release.alias.node.defaultChild as CfnResource);
};

const logicalIdOf = (api: ApiStack, routeId: string): string => {
  const routeFunction =
    routeId === fallbackRoute.id
      ? api.fallbackFunction
      : (api.routeFunctions.get(routeId) ?? api.realtime.functions.get(routeId));
  if (routeFunction === undefined) throw new Error(`No function for route ${routeId}`);
  return api.getLogicalId(routeFunction.function.node.defaultChild as CfnFunction);
};

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Effect: string;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
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

const anyKey = '(any key)';

/**
 * Every DynamoDB permission in `statements` as `<table> <action> <partition-key pattern>` lines, the
 * pattern `(any key)` when the statement has no condition. Statements may only name one table's ARN
 * (no index or stream) and only a ForAllValues:StringLike condition on dynamodb:LeadingKeys.
 */
const dynamoDbPermissionsOf = (statements: readonly Statement[]): string[] => {
  const lines = new Set<string>();
  for (const statement of statements) {
    const actions = actionsOf([statement]).filter((action) => action.startsWith('dynamodb:'));
    if (actions.length === 0) continue;
    expect(statement.Effect).toBe('Allow');
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    const tables = resources.map((resource) => {
      const json = JSON.stringify(resource);
      expect(json).not.toMatch(/\/index\/|\/stream\//);
      const named = Object.values(tableDefinitions).filter((definition) =>
        json.includes(tableLogicalId(definition.id)),
      );
      expect(named).toHaveLength(1);
      return named[0]?.id ?? '?';
    });
    const conditions = statement.Condition ?? {};
    expect(Object.keys(conditions).filter((operator) => operator !== 'ForAllValues:StringLike')).toEqual([]);
    const stringLike = conditions['ForAllValues:StringLike'] ?? {};
    expect(Object.keys(stringLike).filter((key) => key !== 'dynamodb:LeadingKeys')).toEqual([]);
    const leadingKeys = stringLike['dynamodb:LeadingKeys'];
    const patterns = leadingKeys === undefined ? [anyKey] : [leadingKeys].flat().map(String);
    for (const table of tables)
      for (const action of actions)
        for (const pattern of patterns) lines.add(`${table} ${action.slice('dynamodb:'.length)} ${pattern}`);
  }
  return [...lines].sort();
};

const environmentOf = (template: Template, api: ApiStack, routeId: string): Json => {
  const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(api, routeId)] as CfnResourceJson;
  return ((fn.Properties.Environment as Json).Variables ?? {}) as Json;
};

/** The same lines, from what the route table declares for a function. */
const declaredPermissionsOf = (secured: SecuredFunction): string[] => {
  const lines = new Set<string>();
  for (const [table, grants] of Object.entries(secured.tables) as [string, readonly TableGrant[]][]) {
    for (const grant of grants) {
      const patterns =
        'leadingKeys' in grant && grant.leadingKeys !== undefined ? grant.leadingKeys : [anyKey];
      for (const action of grant.actions)
        for (const pattern of patterns) lines.add(`${table} ${action} ${pattern}`);
    }
  }
  return [...lines].sort();
};

/** Every gateway response type CDK knows (its static ResponseType members). */
const allGatewayResponseTypes = Object.values(ResponseType)
  .filter((value): value is ResponseType => value instanceof ResponseType)
  .map((value) => value.responseType)
  .sort();

/** Headers every answer API Gateway or WAF makes must carry, with the values the functions send. */
const requiredEdgeHeaders = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const catalogueUris = new Set(
  [...Object.keys(problemTypes), ...Object.keys(gatewayCatchAllProblemTypes)].map(
    (code) => `urn:bulwark:problem:${code}`,
  ),
);
const catalogueStatus = (uri: string): number | undefined =>
  (Object.entries(problemTypes) as [string, { status: number }][]).find(
    ([code]) => `urn:bulwark:problem:${code}` === uri,
  )?.[1].status;

/**
 * CORS on a static answer: with exactly one configured origin it is named; with several (a static answer
 * cannot pick the caller's) or with CORS off there is no Allow-Origin at all. Never credentials.
 */
const expectStaticCors = (
  header: (name: string) => string | undefined,
  cors: { readonly enabled: boolean; readonly allowOrigins: readonly string[] },
  label: string,
): void => {
  const [only, ...others] = cors.allowOrigins;
  if (cors.enabled && only !== undefined && others.length === 0) {
    expect(header('Access-Control-Allow-Origin'), label).toBe(`'${only}'`);
    const exposed = (header('Access-Control-Expose-Headers') ?? "''")
      .slice(1, -1)
      .split(',')
      .map((name) => name.trim().toLowerCase());
    expect(exposed, label).toEqual(expect.arrayContaining(['x-request-id', 'retry-after']));
  } else {
    expect(header('Access-Control-Allow-Origin'), label).toBeUndefined();
    expect(header('Access-Control-Expose-Headers'), label).toBeUndefined();
  }
  expect(header('Access-Control-Allow-Credentials'), label).toBeUndefined();
};

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
    'route %s has its own function and a method with its HTTP method on its path, invoking its live alias',
    (routeId, route: RouteDefinition) => {
      const functionLogicalId = logicalIdOf(api, routeId);
      expect(template.findResources('AWS::Lambda::Function')[functionLogicalId]).toBeDefined();
      const matching = methodsOf(template).filter(
        (method) => method.path === route.path && method.httpMethod === route.method,
      );
      expect(matching).toHaveLength(1);
      expect(matching[0]?.integrationUri).toContain(`{"Ref":"${aliasLogicalIdOf(api, routeId)}"}`);
      // Never $LATEST: the unqualified function is not what API Gateway calls.
      expect(matching[0]?.integrationUri).not.toContain(functionLogicalId);
    },
  );

  it('sends ANY on the root, on /{proxy+} and on every route resource to the fallback live alias', () => {
    const fallbackAlias = aliasLogicalIdOf(api, fallbackRoute.id);
    const anyMethods = methodsOf(template).filter((method) => method.httpMethod === 'ANY');
    const expectedPaths = [...routePathsWithAncestors(), '/{proxy+}'].sort();
    expect(anyMethods.map((method) => method.path).sort()).toEqual(expectedPaths);
    for (const method of anyMethods) expect(method.integrationUri).toContain(`{"Ref":"${fallbackAlias}"}`);
  });

  it('lets API Gateway invoke only the live aliases, each from its own methods or WebSocket route', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as CfnResourceJson[];
    const aliases = new Set([
      ...securedFunctions.map((secured) => aliasLogicalIdOf(api, secured.id)),
      ...webSocketFunctionIds.map((id) => aliasLogicalIdOf(api, id)),
    ]);
    // One per REST method, one per WebSocket route ($connect, $disconnect, $default).
    expect(permissions).toHaveLength(methodsOf(template).length + webSocketFunctionIds.length);
    for (const { Properties } of permissions) {
      expect(Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(aliases.has(String((Properties.FunctionName as Json).Ref))).toBe(true);
    }
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
    expect(functions).toHaveLength(routes.length + 1 + realtimeGateway.length);
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

  describe('DynamoDB grants no broader than the code', () => {
    const permissionsOf = (routeId: string): string[] =>
      dynamoDbPermissionsOf(statementsOf(template, api, routeId));
    const allPermissions = (): [string, string[]][] =>
      securedFunctions.map((secured) => [secured.id, permissionsOf(secured.id)]);

    it('grants only item actions, Query by leading key and Scan: no batch, stream or table-description action', () => {
      const lines = allPermissions().flatMap(([, entries]) => entries);
      const actions = new Set(lines.map((line) => line.split(' ')[1]));
      expect(actions.size).toBeGreaterThan(0);
      for (const action of actions) {
        expect([
          'GetItem',
          'PutItem',
          'UpdateItem',
          'DeleteItem',
          'ConditionCheckItem',
          'Query',
          'Scan',
        ]).toContain(action);
      }
      // A Query names its partition: always granted by leading key, and only on the realtime table.
      for (const line of lines.filter((entry) => entry.split(' ')[1] === 'Query')) {
        expect(line.startsWith('realtime Query ')).toBe(true);
        expect(line.endsWith(anyKey)).toBe(false);
      }
    });

    it('lets only list-api-keys Scan, and only the API-key table', () => {
      const scans = allPermissions().flatMap(([id, lines]) =>
        lines.filter((line) => line.split(' ')[1] === 'Scan').map((line) => `${id}: ${line}`),
      );
      expect(scans).toEqual([`list-api-keys: apiKeys Scan ${anyKey}`]);
    });

    it('lets health, jwks and the fallback only UpdateItem rate-limit items under rl#', () => {
      for (const id of ['health', 'jwks', fallbackRoute.id]) {
        expect(permissionsOf(id)).toEqual(['rateLimits UpdateItem rl#*']);
      }
    });

    it('limits verifiers on the sessions table to the revocation markers revoked#*', () => {
      const verifiers = routes.filter((route) => route.auth === 'required').map((route) => route.id);
      expect(verifiers.length).toBeGreaterThan(0);
      for (const id of verifiers) {
        const sessions = permissionsOf(id).filter((line) => line.startsWith('sessions '));
        expect(sessions).toEqual(
          expect.arrayContaining(['sessions ConditionCheckItem revoked#*', 'sessions GetItem revoked#*']),
        );
        // Logout also revokes sessions (family#, session#); every other verifier touches markers only.
        if (id !== 'logout') expect(sessions.every((line) => line.endsWith(' revoked#*'))).toBe(true);
      }
      for (const [, lines] of allPermissions()) {
        expect(lines.filter((line) => line.startsWith('sessions ') && line.endsWith(anyKey))).toEqual([]);
        for (const line of lines.filter((entry) => entry.startsWith('sessions ConditionCheckItem'))) {
          expect(line).toBe('sessions ConditionCheckItem revoked#*');
        }
      }
    });

    it('keeps login failure streaks (login#) to the login function and scopes every rate-limit grant', () => {
      for (const [id, lines] of allPermissions()) {
        const rateLimits = lines.filter((line) => line.startsWith('rateLimits '));
        const expected = id === 'login' ? ['rl#*', 'login#*'] : ['rl#*'];
        for (const line of rateLimits) expect(expected).toContain(line.split(' ')[2]);
      }
      expect(permissionsOf('login').filter((line) => line.endsWith(' login#*'))).toEqual([
        'rateLimits DeleteItem login#*',
        'rateLimits GetItem login#*',
        'rateLimits UpdateItem login#*',
      ]);
    });
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

      // Same table, action and partition-key pattern, line for line: nothing more, nothing less.
      expect(dynamoDbPermissionsOf(dynamoDb)).toEqual(declaredPermissionsOf(route));
      for (const definition of Object.values(tableDefinitions)) {
        if (route.tables[definition.id] === undefined) {
          expect(environment[definition.environmentVariable]).toBeUndefined();
        } else {
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

      // Anything else is logging (the function's own log group), X-Ray tracing, or for a route that
      // manages realtime connections, ManageConnections on the WebSocket stage.
      const other = actionsOf(statements).filter(
        (action) => !action.startsWith('dynamodb:') && !action.startsWith('secretsmanager:'),
      );
      for (const action of other) {
        if (action === 'execute-api:ManageConnections') expect(route.realtime).toBe('manage-connections');
        else expect(action).toMatch(/^(logs:(CreateLogStream|PutLogEvents)|xray:\w+)$/);
      }
      if (route.realtime !== undefined) expect(JSON.stringify(environment.REALTIME_URL)).toContain('wss://');
      expect(environment.REALTIME_CALLBACK_URL === undefined).toBe(route.realtime !== 'manage-connections');
    },
  );

  it('lets only the issuers (login, refresh-token) and the rotation function read the private signing key', () => {
    // Both stacks: a reader anywhere in the app counts. Roles are named by route id or as the rotation.
    const dataTemplate = Template.fromStack(built.data);
    const roleNames = new Map<string, string>([
      [
        built.data.getLogicalId(built.data.signingKeyRotation.role.node.defaultChild as CfnResource),
        'rotation',
      ],
    ]);
    for (const secured of securedFunctions) {
      const fn = secured.id === fallbackRoute.id ? api.fallbackFunction : api.routeFunctions.get(secured.id);
      if (fn === undefined) throw new Error(`No function for ${secured.id}`);
      roleNames.set(api.getLogicalId(fn.role.node.defaultChild as CfnResource), secured.id);
    }
    const readersOf = (secretLogicalId: string): string[] => {
      const readers = new Set<string>();
      for (const stackTemplate of [template, dataTemplate]) {
        const policies = stackTemplate.findResources('AWS::IAM::Policy') as Record<string, CfnResourceJson>;
        for (const { Properties } of Object.values(policies)) {
          const statements = (Properties.PolicyDocument as { Statement: Statement[] }).Statement;
          const reads = statements.some(
            (statement) =>
              statement.Effect === 'Allow' &&
              actionsOf([statement]).includes('secretsmanager:GetSecretValue') &&
              JSON.stringify(statement.Resource).includes(secretLogicalId),
          );
          if (!reads) continue;
          for (const role of Properties.Roles as { Ref: string }[]) {
            readers.add(roleNames.get(role.Ref) ?? `unknown role ${role.Ref}`);
          }
        }
      }
      return [...readers].sort();
    };

    expect(readersOf('JwtSigningKeysSecret')).toEqual(['login', 'refresh-token', 'rotation']);
    // Verifiers (every authenticated route) and the JWKS route read the public keys and nothing more.
    const verifiers = routes.filter((route) => route.auth === 'required').map((route) => route.id);
    expect(verifiers.length).toBeGreaterThan(0);
    expect(readersOf('JwtVerificationKeysSecret')).toEqual([...verifiers, 'jwks', 'rotation'].sort());
  });

  it('passes the stage runtime settings and the API host to every function', () => {
    for (const routeId of [...routes.map((route) => route.id), fallbackRoute.id]) {
      const environment = environmentOf(template, api, routeId);
      expect(environment.ENVIRONMENT).toBe(built.config.runtime.environment);
      expect(environment.API_AUTH_STRATEGY).toBe('jwt_or_api_key');
      expect(environment.CORS_ALLOW_ORIGINS).toBe(built.config.runtime.cors.allowOrigins.join(','));
      expect(JSON.stringify(environment.TRUSTED_HOSTS)).toContain('.execute-api.');
    }
  });

  it('answers every gateway response type as problem+json with the request id and the static headers', () => {
    const responses = template.findResources('AWS::ApiGateway::GatewayResponse') as Record<
      string,
      CfnResourceJson
    >;
    const byType = new Map(
      Object.values(responses).map(({ Properties }) => [String(Properties.ResponseType), Properties]),
    );
    // Every type CDK knows, so a response type added by an upgrade fails here until it is answered too.
    expect([...byType.keys()].sort()).toEqual(allGatewayResponseTypes);
    // Logical ids keep their first form (DEFAULT_4XX: ProblemResponsesDefault4xx...). A new id would make
    // CloudFormation create the new response, then delete the old one and so reset the type to the default.
    for (const [logicalId, { Properties }] of Object.entries(responses)) {
      const pascal = String(Properties.ResponseType)
        .split('_')
        .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
        .join('');
      expect(logicalId).toMatch(new RegExp(`^ProblemResponses${pascal}[0-9A-F]{8}$`));
    }

    for (const [type, properties] of byType) {
      const parameters = properties.ResponseParameters as Record<string, string>;
      const header = (name: string): string | undefined => parameters[`gatewayresponse.header.${name}`];
      expect(header('Content-Type'), type).toBe("'application/problem+json'");
      for (const [name, value] of Object.entries(requiredEdgeHeaders))
        expect(header(name), type).toBe(`'${value}'`);
      expect(header('x-request-id'), type).toBe('context.requestId');
      expectStaticCors(header, built.config.runtime.cors, type);

      // The template only substitutes variables; messageString arrives already quoted.
      const bodyTemplate = String((properties.ResponseTemplates as Json)['application/json']);
      const body = JSON.parse(bodyTemplate.replace('$context.error.messageString', '"message"')) as Json;
      expect(String(body.type), type).toMatch(/^urn:bulwark:problem:[a-z0-9-]+$/);
      expect(catalogueUris.has(String(body.type)), `${type}: ${String(body.type)} is in the catalogue`).toBe(
        true,
      );
      expect(typeof body.title, type).toBe('string');
      expect(typeof body.detail, type).toBe('string');
      expect(body.request_id, type).toBe('$context.requestId');
      if (properties.StatusCode === undefined) {
        // Only the catch-alls keep API Gateway's own status, which a template cannot name.
        expect(['DEFAULT_4XX', 'DEFAULT_5XX']).toContain(type);
        expect(body.status, type).toBeUndefined();
      } else {
        expect(body.status, type).toBe(Number(properties.StatusCode));
        expect(catalogueStatus(String(body.type)), type).toBe(Number(properties.StatusCode));
      }
      // 5xx bodies never pass API Gateway's own message on.
      if (Number(properties.StatusCode ?? 0) >= 500 || type === 'DEFAULT_5XX')
        expect(bodyTemplate, type).not.toContain('$context.error');
    }
    expect(byType.get('MISSING_AUTHENTICATION_TOKEN')?.StatusCode).toBe('404');
    expect(byType.get('INTEGRATION_TIMEOUT')?.StatusCode).toBe('504');
    expect(byType.get('REQUEST_TOO_LARGE')?.StatusCode).toBe('413');
    const headerOf = (type: string, name: string): unknown =>
      (byType.get(type)?.ResponseParameters as Json | undefined)?.[`gatewayresponse.header.${name}`];
    // Stage throttling refills every second.
    expect(byType.get('THROTTLED')?.StatusCode).toBe('429');
    expect(headerOf('THROTTLED', 'Retry-After')).toBe("'1'");
    expect(headerOf('UNAUTHORIZED', 'WWW-Authenticate')).toBe(`'Bearer realm="bulwark"'`);
  });

  it('answers WAF blocks with problem bodies, the static headers and Retry-After on 429', () => {
    const acl = (Object.values(template.findResources('AWS::WAFv2::WebACL')) as CfnResourceJson[])[0]
      ?.Properties as Json;
    const bodies = acl.CustomResponseBodies as Record<string, { Content: string; ContentType: string }>;
    const customResponses = (acl.Rules as Json[]).flatMap((rule) => {
      const response = ((rule.Action as Json | undefined)?.Block as Json | undefined)?.CustomResponse as
        | {
            ResponseCode: number;
            CustomResponseBodyKey: string;
            ResponseHeaders: { Name: string; Value: string }[];
          }
        | undefined;
      return response === undefined ? [] : [[String(rule.Name), response] as const];
    });
    expect(customResponses.map(([name, response]) => [name, response.ResponseCode])).toEqual([
      ['RateLimitPerIp', 429],
      ['BodyTooLarge', 413],
    ]);

    let headerCount = 0;
    for (const [name, response] of customResponses) {
      const body = bodies[response.CustomResponseBodyKey];
      if (body === undefined) throw new Error(`${name}: no body ${response.CustomResponseBodyKey}`);
      // WAF offers no problem+json content type: APPLICATION_JSON is the closest it can send.
      expect(body.ContentType, name).toBe('APPLICATION_JSON');
      expect(body.Content.length, name).toBeLessThanOrEqual(10_240);
      const problem = JSON.parse(body.Content) as Json;
      expect(catalogueUris.has(String(problem.type)), name).toBe(true);
      expect(problem.status, name).toBe(response.ResponseCode);
      expect(catalogueStatus(String(problem.type)), name).toBe(response.ResponseCode);
      expect(typeof problem.title, name).toBe('string');
      expect(typeof problem.detail, name).toBe('string');

      const headers = new Map(response.ResponseHeaders.map((entry) => [entry.Name, entry.Value]));
      // WAF refuses a content-type header and duplicate names.
      expect(
        [...headers.keys()].map((key) => key.toLowerCase()),
        name,
      ).not.toContain('content-type');
      expect(headers.size, name).toBe(response.ResponseHeaders.length);
      for (const [header, value] of Object.entries(requiredEdgeHeaders))
        expect(headers.get(header), name).toBe(value);
      expectStaticCors(
        (header) => (headers.has(header) ? `'${headers.get(header)}'` : undefined),
        built.config.runtime.cors,
        name,
      );
      for (const [header, value] of headers) {
        expect(header.length, `${name} ${header}`).toBeLessThanOrEqual(64);
        expect(value.length, `${name} ${header}`).toBeLessThanOrEqual(255);
      }
      headerCount += headers.size;
    }
    // The WAF blocks again until the IP's count over the 5-minute window falls below the limit.
    const rateHeaders = customResponses.find(([name]) => name === 'RateLimitPerIp')?.[1].ResponseHeaders;
    expect(rateHeaders?.find((entry) => entry.Name === 'Retry-After')?.Value).toBe('300');
    // WAF quotas: 100 custom response headers and 50 bodies per web ACL.
    expect(headerCount).toBeLessThanOrEqual(100);
    expect(Object.keys(bodies).length).toBeLessThanOrEqual(50);
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

  it.each(securedFunctions.map((secured) => [secured.id] as const))(
    'releases %s through its live alias as a 10%%-for-5-minutes canary that its alarms roll back',
    (routeId) => {
      const release = api.releases.get(routeId);
      if (release === undefined) throw new Error(`No release for ${routeId}`);
      const aliasId = aliasLogicalIdOf(api, routeId);
      const alias = template.findResources('AWS::Lambda::Alias')[aliasId] as CfnResourceJson & {
        UpdatePolicy: { CodeDeployLambdaAliasUpdate: { DeploymentGroupName: Json } };
      };
      expect(alias.Properties.Name).toBe('live');
      expect(alias.Properties.FunctionName).toEqual({ Ref: logicalIdOf(api, routeId) });
      expect(JSON.stringify(alias.Properties.FunctionVersion)).toContain('CurrentVersion');

      const groupId = api.getLogicalId(release.deploymentGroup.node.defaultChild as CfnResource);
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName).toEqual({ Ref: groupId });
      const group = template.findResources('AWS::CodeDeploy::DeploymentGroup')[groupId] as CfnResourceJson;
      expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      const rollback = group.Properties.AutoRollbackConfiguration as { Enabled: boolean; Events: string[] };
      expect(rollback.Enabled).toBe(true);
      expect(rollback.Events).toEqual(
        expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      );
      const alarmRefs = ((group.Properties.AlarmConfiguration as Json).Alarms as { Name: Json }[]).map(
        (alarm) => alarm.Name,
      );
      const own = [release.errorsAlarm, release.throttlesAlarm];
      const shared = [...api.monitoring.rolloutAlarms, ...api.realtime.monitoring.rolloutAlarms];
      expect(alarmRefs).toEqual(
        [...own, ...shared].map((alarm) => ({
          Ref: api.getLogicalId(alarm.node.defaultChild as CfnResource),
        })),
      );

      // The function's own alarms watch its Lambda Errors and Throttles and notify the topic.
      for (const [alarm, metricName] of [
        [release.errorsAlarm, 'Errors'],
        [release.throttlesAlarm, 'Throttles'],
      ] as const) {
        const properties = (
          template.findResources('AWS::CloudWatch::Alarm')[
            api.getLogicalId(alarm.node.defaultChild as CfnResource)
          ] as CfnResourceJson
        ).Properties;
        expect(properties.MetricName).toBe(metricName);
        expect(properties.Namespace).toBe('AWS/Lambda');
        expect(properties.Dimensions).toEqual([
          { Name: 'FunctionName', Value: { Ref: logicalIdOf(api, routeId) } },
        ]);
      }
    },
  );

  it('puts a regional WAF web ACL with a per-IP rate rule, three managed groups and a body size rule on the stage', () => {
    const acls = Object.values(template.findResources('AWS::WAFv2::WebACL')) as CfnResourceJson[];
    expect(acls).toHaveLength(1);
    const acl = acls[0]?.Properties ?? {};
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    const rules = acl.Rules as Json[];
    const byName = new Map(rules.map((rule) => [rule.Name, rule.Statement as Json]));

    expect(byName.get('RateLimitPerIp')).toEqual({
      RateBasedStatement: {
        Limit: built.config.operations.waf.requestsPerIpPer5Minutes,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
      },
    });
    for (const group of [
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
    ]) {
      expect(byName.get(group)).toMatchObject({
        ManagedRuleGroupStatement: { VendorName: 'AWS', Name: group },
      });
    }
    // The common rule set's own 8 KB body rule only counts: BodyTooLarge enforces API_BODY_MAX_BYTES.
    expect(byName.get('AWSManagedRulesCommonRuleSet')).toMatchObject({
      ManagedRuleGroupStatement: {
        RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
      },
    });
    expect(byName.get('BodyTooLarge')).toEqual({
      SizeConstraintStatement: {
        FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
        ComparisonOperator: 'GT',
        Size: built.config.runtime.bodyMaxBytes,
        TextTransformations: [{ Priority: 0, Type: 'NONE' }],
      },
    });
    // WAF sees the whole allowed body (64 KB), so the size rule is exact.
    expect(acl.AssociationConfig).toEqual({
      RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } },
    });
    // Priorities are unique: WAF rejects duplicates at deploy time.
    expect(new Set(rules.map((rule) => rule.Priority)).size).toBe(rules.length);

    const stageId = api.getLogicalId(api.api.deploymentStage.node.defaultChild as CfnResource);
    const associations = Object.values(
      template.findResources('AWS::WAFv2::WebACLAssociation'),
    ) as CfnResourceJson[];
    expect(associations).toHaveLength(1);
    expect(JSON.stringify(associations[0]?.Properties.ResourceArn)).toContain(`{"Ref":"${stageId}"}`);
    expect(JSON.stringify(associations[0]?.Properties.WebACLArn)).toContain('Fn::GetAtt');
  });

  it('logs WAF decisions to an aws-waf-logs- group with retention, redacting the credential headers', () => {
    const configs = Object.values(
      template.findResources('AWS::WAFv2::LoggingConfiguration'),
    ) as CfnResourceJson[];
    expect(configs).toHaveLength(1);
    const properties = configs[0]?.Properties ?? {};
    expect(properties.RedactedFields).toEqual([
      { SingleHeader: { Name: 'authorization' } },
      { SingleHeader: { Name: 'x-api-key' } },
    ]);
    const destination = JSON.stringify(properties.LogDestinationConfigs);
    expect(destination).toContain(`:log-group:aws-waf-logs-bulwark-${stage}`);
    expect(destination).not.toContain(':*');
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `aws-waf-logs-bulwark-${stage}`,
      RetentionInDays: Match.anyValue(),
    });
  });

  it('alarms on limiter backend errors, fail-closed, 503s by backend, auth failure spikes, refresh reuse and the 5xx rate', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, CfnResourceJson>;
    const propertiesOf = (alarm: { node: { defaultChild?: unknown } }): Json => {
      const found = alarms[api.getLogicalId(alarm.node.defaultChild as CfnResource)];
      if (found === undefined) throw new Error('Alarm not in the template');
      return found.Properties;
    };
    const expressionOf = (properties: Json): string =>
      JSON.stringify((properties.Metrics as Json[]).map((query) => query.Expression));
    const { monitoring } = api;

    for (const [alarm, metric] of [
      [monitoring.limiterBackendErrors, 'rate_limit_backend_error'],
      [monitoring.limiterFailClosed, 'rate_limit_fail_closed'],
    ] as const) {
      const properties = propertiesOf(alarm);
      // A Metrics Insights query over every route and policy: alarms cannot use SEARCH.
      expect(expressionOf(properties)).toContain(
        `SELECT SUM(${metric}) FROM SCHEMA(\\"Bulwark\\", policy, route, service)`,
      );
      expect((properties.Metrics as Json[])[0]?.Period).toBe(60);
      expect(properties.Threshold).toBe(0);
      expect(properties.ComparisonOperator).toBe('GreaterThanThreshold');
    }
    const unavailable = propertiesOf(monitoring.dependencyUnavailable);
    expect(expressionOf(unavailable)).toContain(
      'SELECT SUM(dependency_unavailable) FROM SCHEMA(\\"Bulwark\\", dependency, route, service)',
    );
    expect(unavailable.Threshold).toBe(0);
    expect(monitoring.rolloutAlarms).toContain(monitoring.dependencyUnavailable);
    const auth = propertiesOf(monitoring.authFailureSpike);
    expect(expressionOf(auth)).toContain(
      'SELECT SUM(auth_failure) FROM SCHEMA(\\"Bulwark\\", route, service)',
    );
    expect(auth.Threshold).toBe(built.config.operations.alarms.authFailuresPer5Minutes);

    const reuse = propertiesOf(monitoring.refreshReuseDetected);
    expect(reuse).toMatchObject({
      Namespace: 'Bulwark',
      MetricName: 'refresh_reuse_detected',
      Dimensions: [{ Name: 'service', Value: 'bulwark' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });

    const serverErrors = propertiesOf(monitoring.serverErrorRate);
    expect(expressionOf(serverErrors)).toContain('100 * serverErrors / requests');
    expect(JSON.stringify(serverErrors.Metrics)).toContain('"MetricName":"5XXError"');
    expect(JSON.stringify(serverErrors.Metrics)).toContain('"MetricName":"Count"');
    expect(serverErrors.Threshold).toBe(built.config.operations.alarms.serverErrorRatePercent);

    // 6 stack-wide alarms, 4 of the realtime gateway, plus Errors and Throttles per function; every one
    // notifies the topic.
    expect(Object.keys(alarms)).toHaveLength(6 + 4 + 2 * (securedFunctions.length + realtimeGateway.length));
    const topicId = api.getLogicalId(api.alarmTopic.topic.node.defaultChild as CfnResource);
    for (const { Properties } of Object.values(alarms)) {
      expect(Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('encrypts the alarm topic with a rotating key CloudWatch may use, and refuses plain HTTP', () => {
    const keyId = api.getLogicalId(api.alarmTopic.key.node.defaultChild as CfnResource);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has a dashboard with traffic, errors, latency, limiter outcomes, auth failures, reuse and guard rails', () => {
    const dashboards = Object.values(
      template.findResources('AWS::CloudWatch::Dashboard'),
    ) as CfnResourceJson[];
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const fragment of [
      'Count',
      '4XXError',
      '5XXError',
      'Latency',
      'p50',
      'p99',
      'auth_failure',
      'refresh_reuse_detected',
      'api_key_unlimited_used',
      ...limiterOutcomes.map((outcome) => `rate_limit_${outcome}`),
    ]) {
      expect(body).toContain(fragment);
    }
  });

  describe('the realtime gateway', () => {
    const streamActions = [
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ];

    it('is a WebSocket API with $connect, $disconnect and $default on the live aliases, no authorizer', () => {
      const apis = Object.values(template.findResources('AWS::ApiGatewayV2::Api')) as CfnResourceJson[];
      expect(apis).toHaveLength(1);
      expect(apis[0]?.Properties).toMatchObject({
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.action',
      });
      const routesByKey = new Map(
        (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as CfnResourceJson[]).map(
          ({ Properties }) => [String(Properties.RouteKey), Properties],
        ),
      );
      expect([...routesByKey.keys()].sort()).toEqual(['$connect', '$default', '$disconnect']);
      for (const route of routesByKey.values()) expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
      const integrations = JSON.stringify(template.findResources('AWS::ApiGatewayV2::Integration'));
      for (const id of webSocketFunctionIds) expect(integrations).toContain(aliasLogicalIdOf(api, id));
      // The $default route answers its sender: a route response.
      expect(Object.values(template.findResources('AWS::ApiGatewayV2::RouteResponse'))).toHaveLength(1);
    });

    it('has a stage with throttling, JSON access logs without the token, and error logging', () => {
      const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as CfnResourceJson[];
      expect(stages).toHaveLength(1);
      const properties = stages[0]?.Properties ?? {};
      expect(properties.StageName).toBe(stage);
      expect(properties.DefaultRouteSettings).toMatchObject({
        ThrottlingRateLimit: built.config.throttling.rateLimitPerSecond,
        ThrottlingBurstLimit: built.config.throttling.burstLimit,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
      });
      const format = JSON.parse(String((properties.AccessLogSettings as Json).Format)) as Json;
      expect(format).toMatchObject({
        connectionId: '$context.connectionId',
        eventType: '$context.eventType',
      });
      expect(JSON.stringify(format)).not.toMatch(/header|querystring|protocol/i);
    });

    it.each(realtimeGateway.map((fn): [string, GatewayFunction] => [fn.id, fn]))(
      'grants gateway function %s exactly what its entry declares',
      (id, entry) => {
        const statements = statementsOf(template, api, id);
        const onTables = statements.filter(
          (statement) =>
            actionsOf([statement]).some((action) => action.startsWith('dynamodb:')) &&
            !actionsOf([statement]).some((action) => streamActions.includes(action)),
        );
        expect(dynamoDbPermissionsOf(onTables)).toEqual(
          declaredPermissionsOf({ ...entry, auth: 'public', rateLimit: { policy: 'default' } }),
        );
        const stream = actionsOf(statements).filter((action) => streamActions.includes(action));
        expect(stream.length > 0).toBe(entry.trigger.kind === 'streams');
        const manage = actionsOf(statements).includes('execute-api:ManageConnections');
        expect(manage).toBe(entry.realtime === 'manage-connections');
        const environment = environmentOf(template, api, id);
        expect(environment.REALTIME_CALLBACK_URL === undefined).toBe(entry.realtime !== 'manage-connections');
        expect(environment.REALTIME_TABLE_NAME === undefined).toBe(entry.tables.realtime === undefined);
      },
    );

    it('lets only the publish route and the revocation function send to and close connections, on this stage', () => {
      const managers = [...securedFunctions.map((fn) => fn.id), ...realtimeGateway.map((fn) => fn.id)].filter(
        (id) => actionsOf(statementsOf(template, api, id)).includes('execute-api:ManageConnections'),
      );
      expect(managers.sort()).toEqual(['publish-datasource-event', 'realtime-revocations']);
      for (const id of managers) {
        const statement = statementsOf(template, api, id).find((candidate) =>
          actionsOf([candidate]).includes('execute-api:ManageConnections'),
        );
        const resources = JSON.stringify(statement?.Resource);
        expect(resources).toContain(`/${stage}/POST/@connections/*`);
        expect(resources).toContain(`/${stage}/DELETE/@connections/*`);
        expect(resources).not.toContain('/GET/');
      }
    });

    it('reads the sessions, API-key and realtime streams, filtered to revocations, with retries and a dead-letter queue', () => {
      const mappings = Object.values(
        template.findResources('AWS::Lambda::EventSourceMapping'),
      ) as CfnResourceJson[];
      expect(mappings).toHaveLength(3);
      const revocationsAlias = aliasLogicalIdOf(api, 'realtime-revocations');
      const patterns = mappings.map(({ Properties }) => {
        expect(JSON.stringify(Properties.FunctionName)).toContain(revocationsAlias);
        expect(Properties).toMatchObject({
          StartingPosition: 'LATEST',
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: 10,
        });
        expect(JSON.stringify(Properties.DestinationConfig)).toContain('RevocationsDeadLetters');
        return JSON.stringify(Properties.FilterCriteria);
      });
      expect(patterns.join(' ')).toContain('revoked#');
      expect(patterns.join(' ')).toContain('REMOVE');
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    });

    it('alarms on realtime limiter errors and fail-closed, connect 503s and dead-lettered revocations, and rolls canaries back on the first three', () => {
      const { monitoring } = api.realtime;
      const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, CfnResourceJson>;
      const expression = (alarm: { node: { defaultChild?: unknown } }) =>
        JSON.stringify(alarms[api.getLogicalId(alarm.node.defaultChild as CfnResource)]?.Properties.Metrics);
      expect(expression(monitoring.limiterBackendErrors)).toContain(
        'SELECT SUM(realtime_limit_backend_error)',
      );
      expect(expression(monitoring.limiterFailClosed)).toContain('SELECT SUM(realtime_limit_fail_closed)');
      expect(expression(monitoring.connectUnavailable)).toContain("status = '503'");
      expect(monitoring.rolloutAlarms).toEqual([
        monitoring.limiterBackendErrors,
        monitoring.limiterFailClosed,
        monitoring.connectUnavailable,
      ]);
      const body = JSON.stringify(
        (Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as CfnResourceJson).Properties
          .DashboardBody,
      );
      for (const fragment of [
        'ConnectCount',
        'MessageCount',
        'realtime_connect_rejected',
        'realtime_connections_revoked',
        ...limiterOutcomes.map((outcome) => `realtime_limit_${outcome}`),
      ]) {
        expect(body).toContain(fragment);
      }
    });
  });

  it('stays under the CloudFormation limits of 500 resources and a 1 MB template', () => {
    const json = template.toJSON() as { Resources: Json };
    const resourceCount = Object.keys(json.Resources).length;
    const templateBytes = Buffer.byteLength(JSON.stringify(json), 'utf8');
    expect(resourceCount).toBeLessThan(500);
    expect(templateBytes).toBeLessThan(1_000_000);
  });

  it(`is ${stage === 'prod' ? '' : 'not '}protected from termination`, () => {
    expect(api.terminationProtection).toBe(stage === 'prod');
    expect(built.data.terminationProtection).toBe(stage === 'prod');
  });
});

describe.each([
  [
    'several CORS origins',
    { enabled: true, allowOrigins: ['https://app.example.com', 'https://admin.example.com'] },
  ],
  ['CORS off', { enabled: false, allowOrigins: ['https://app.example.com'] }],
] as const)('a stage with %s', (label, cors) => {
  const { api } = buildApp('dev', undefined, (config) => ({
    ...config,
    runtime: { ...config.runtime, cors: { ...config.runtime.cors, ...cors } },
  }));
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(api);
  });

  it('gives the answers of API Gateway and WAF no CORS headers, but still the security headers', () => {
    for (const { Properties } of Object.values(
      template.findResources('AWS::ApiGateway::GatewayResponse'),
    ) as CfnResourceJson[]) {
      const parameters = Properties.ResponseParameters as Record<string, string>;
      const header = (name: string): string | undefined => parameters[`gatewayresponse.header.${name}`];
      expectStaticCors(header, cors, `${label} ${String(Properties.ResponseType)}`);
      expect(header('Strict-Transport-Security')).toBe(
        `'${requiredEdgeHeaders['Strict-Transport-Security']}'`,
      );
    }
    const acl = (Object.values(template.findResources('AWS::WAFv2::WebACL')) as CfnResourceJson[])[0]
      ?.Properties as Json;
    const wafHeaderSets = (acl.Rules as Json[]).flatMap((rule) => {
      const response = ((rule.Action as Json | undefined)?.Block as Json | undefined)?.CustomResponse as
        | { ResponseHeaders: { Name: string; Value: string }[] }
        | undefined;
      return response === undefined ? [] : [new Map(response.ResponseHeaders.map((h) => [h.Name, h.Value]))];
    });
    expect(wafHeaderSets).toHaveLength(2);
    for (const headers of wafHeaderSets) {
      expectStaticCors((name) => (headers.has(name) ? `'${headers.get(name)}'` : undefined), cors, label);
      expect(headers.get('Strict-Transport-Security')).toBe(requiredEdgeHeaders['Strict-Transport-Security']);
    }
  });

  it(`${cors.enabled ? 'warns' : 'does not warn'} at synth that browsers cannot read those answers`, () => {
    const warnings = Annotations.fromStack(api).findWarning('*', Match.stringLikeRegexp('bulwark:edge-cors'));
    expect(warnings).toHaveLength(cors.enabled ? 1 : 0);
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

  it('runs the Serverless pack over the stacks it is scoped to, and only those', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { account: '123456789012', region: 'eu-west-1' };
    const covered = new Stack(app, 'Covered', { env });
    const outside = new Stack(app, 'Outside', { env });
    for (const stack of [covered, outside]) {
      new LambdaFunction(stack, 'WithoutDeadLetterQueue', {
        runtime: Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => {};'),
      });
    }
    Validations.of(app).addPlugins(new ScopedNagPack(new ServerlessChecks(), [covered]));
    let report = '';
    try {
      app.synth();
    } catch (error) {
      report = String(error);
    }
    expect(report).toMatch(/Serverless-LambdaDLQ/);
    expect(report).toContain('Covered/WithoutDeadLetterQueue');
    expect(report).not.toContain('Outside/WithoutDeadLetterQueue');
  });
});
