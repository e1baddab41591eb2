import { readFileSync } from 'node:fs';
import { App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ResponseType } from 'aws-cdk-lib/aws-apigateway';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StageConfig, type StageName, stageConfig } from '../../infra/config.js';
import { functionLogGroupNameOf } from '../../infra/constructs/function-log-groups.js';
import { grantLogTriage } from '../../infra/constructs/log-triage-access.js';
import { addNagPacks } from '../../infra/nag/nag-packs.js';
import {
  mirroredNistAcknowledgements,
  NIST_RULE_PREFIX,
  nistAcknowledgements,
} from '../../infra/nag/nist-acknowledgements.js';
import { ApiStack } from '../../infra/stacks/api-stack.js';
import { DataStack, secretLogicalId, tableLogicalId } from '../../infra/stacks/data-stack.js';
import { limiterOutcomes } from '../../shared/domain/rate-limit/limiter-metrics.js';
import { gatewayCatchAllProblemTypes, problemTypes } from '../../shared/errors/problem-types.js';
import {
  AUTHENTICATION_FAILED_MESSAGE,
  REQUEST_REJECTED_MESSAGE,
} from '../../shared/logging/log-messages.js';
import { secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { tableDefinitions } from '../../shared/resources/table-definitions.js';
import {
  type GatewayFunction,
  gatewayFunctionIds,
  realtimeGateway,
} from '../../shared/routes/realtime-gateway.js';
import {
  capacityClassOf,
  type RouteDefinition,
  type SecuredFunction,
  type TableGrant,
} from '../../shared/routes/route-definition.js';
import { fallbackRoute, routes, securedFunctions } from '../../shared/routes/route-table.js';
import {
  logicalIdOf as logicalIdInStack,
  mergedTemplateOf,
  stackTemplatesOf,
  templateOf,
} from '../support/stack-templates.js';
import { cdkContext, stubFunctionEntries } from '../support/stub-function-entries.js';

type Json = Record<string, unknown>;

/** A stack's synthesis with the nag packs: generous, the machines are shared. */
const synthTimeoutMs = 240_000;

/** The gateway functions API Gateway invokes (the revocation function reads streams instead). */
const webSocketFunctionIds = realtimeGateway
  .filter((fn) => fn.trigger.kind === 'websocket')
  .map((fn) => fn.id);
interface CfnResourceJson {
  readonly Type: string;
  readonly Properties: Json;
}

/**
 * Handlers are not bundled here (bundling is skipped), but NodejsFunction still checks that each entry
 * exists; a stub tree keeps these tests independent of the handlers' progress. `npm run synth` bundles the
 * real ones.
 */
let stubRoot: string;
let removeStubs: () => void;
beforeAll(() => {
  ({ root: stubRoot, remove: removeStubs } = stubFunctionEntries('bulwark-infra-'));
});
afterAll(() => removeStubs());

/** The app's stacks, without the nag packs. */
const buildStacks = (
  stage: StageName,
  extra?: (app: App) => void,
  configure: (config: StageConfig) => StageConfig = (config) => config,
) => {
  const app = new App({
    context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false },
  });
  const config = configure(stageConfig(stage));
  const env = { account: '123456789012', region: 'eu-west-1' };
  const data = new DataStack(app, `Bulwark-${stage}-Data`, { config, env });
  const api = new ApiStack(app, `Bulwark-${stage}-Api`, {
    config,
    env,
    tables: data.tables,
    secrets: data.secrets,
    signingKeyRotation: data.signingKeyRotation,
    projectRoot: stubRoot,
  });
  extra?.(app);
  return { app, api, data, config };
};

const buildApp = (...args: Parameters<typeof buildStacks>) => {
  const built = buildStacks(...args);
  // The same packs and NIST acknowledgements as infra/app.ts.
  const nist = addNagPacks(built.app);
  return { ...built, nist };
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
  return logicalIdInStack(release.alias);
};

const logicalIdOf = (api: ApiStack, routeId: string): string => {
  if (routeId === '__hook__') return logicalIdInStack(api.bulwark.preTrafficHook.function);
  const routeFunction =
    routeId === fallbackRoute.id
      ? api.fallbackFunction
      : (api.routeFunctions.get(routeId) ?? api.realtime.functions.get(routeId));
  if (routeFunction === undefined) throw new Error(`No function for route ${routeId}`);
  return logicalIdInStack(routeFunction.function);
};

interface Statement {
  readonly Principal?: unknown;
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

/** The paths that serve at least one route. */
const routePaths = (): string[] => [...new Set(routes.map((route) => route.path))];

describe.each(['dev', 'prod'] as const)('the %s API stack', (stage) => {
  const built = buildApp(stage);
  const { api } = built;
  let template: Template;
  // Synthesis with every nag pack takes tens of seconds on a busy 2-core machine.
  beforeAll(() => {
    // Throws when cdk-nag reports any unacknowledged finding in the app.
    template = mergedTemplateOf(api);
  }, synthTimeoutMs);

  it('synthesizes with zero unacknowledged cdk-nag findings and no error annotations', () => {
    expect(template.findResources('AWS::ApiGateway::RestApi')).not.toEqual({});
    expect(Annotations.fromStack(api).findError('*', Match.anyValue())).toEqual([]);
  });

  it('passes the NIST 800-53 R5 pack over the whole app, every finding fixed or acknowledged', {
    timeout: synthTimeoutMs,
  }, () => {
    const report = new NIST80053R5Checks().validateScope(built.app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    // The pack did look: without the acknowledgements it reports exactly the acknowledged findings, so no
    // acknowledgement stands on a resource that meets its rule.
    const bare = buildStacks(stage).app;
    const findings = new NIST80053R5Checks()
      .validateScope(bare)
      .violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`),
      );
    const acknowledged = built.nist.map((applied) => `${applied.rule} ${applied.path}`);
    expect(findings.length).toBeGreaterThan(100);
    expect(new Set(findings)).toEqual(new Set(acknowledged));
    expect(acknowledged).toHaveLength(new Set(acknowledged).size);
  });

  it('acknowledges NIST rules per resource with a written reason, and no entry that covers nothing', () => {
    expect(built.nist.length).toBeGreaterThan(0);
    for (const applied of built.nist) {
      const label = `${applied.rule} on ${applied.path}`;
      expect(applied.rule.startsWith(NIST_RULE_PREFIX), label).toBe(true);
      expect(applied.reason.length, label).toBeGreaterThanOrEqual(120);
      expect(applied.reason, label).not.toMatch(/^(n\/?a|not applicable|ok|todo|tbd|suppressed|ignored?)\b/i);
    }
    for (const entry of nistAcknowledgements) {
      const covered = built.nist.filter((applied) => applied.source === entry);
      expect(covered.length, `${entry.rule} ${String(entry.paths ?? 'every resource')}`).toBeGreaterThan(0);
      for (const path of entry.paths ?? []) {
        expect(
          covered.some((applied) => path.test(applied.path)),
          `${entry.rule} ${String(path)}`,
        ).toBe(true);
      }
    }
    // Each reason is written for its resources, not pasted over several rules.
    const reasons = nistAcknowledgements.map((entry) => entry.reason);
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const entry of mirroredNistAcknowledgements) {
      expect(
        built.nist.some((applied) => applied.source === entry),
        entry.rule,
      ).toBe(true);
    }
  });

  it('needs no acknowledgement for the secrets key or the backups: secrets carry KmsKeyId, the two tables a plan', () => {
    for (const rule of ['NIST.800.53.R5-SecretsManagerUsingKMSKey', 'NIST.800.53.R5-DynamoDBInBackupPlan']) {
      const paths = built.nist.filter((applied) => applied.rule === rule).map((applied) => applied.path);
      for (const kept of [
        'JwtSigningKeysSecret',
        'JwtVerificationKeysSecret',
        'ApiKeyPepperSecret',
        'HealthProbe/ApiKey',
        'UsersTable',
        'ApiKeysTable',
      ]) {
        expect(
          paths.filter((path) => path.includes(`/${kept}/`)),
          `${rule} ${kept}`,
        ).toEqual([]);
      }
    }
  });

  it('attaches every IAM policy to exactly one role of the app (the NIST IAMNoInlinePolicy reason)', () => {
    const policies = [
      ...Object.values(template.findResources('AWS::IAM::Policy')),
      ...Object.values(Template.fromStack(built.data).findResources('AWS::IAM::Policy')),
    ] as CfnResourceJson[];
    expect(policies.length).toBeGreaterThan(securedFunctions.length);
    for (const policy of policies) {
      expect(policy.Properties.Roles, String(policy.Properties.PolicyName)).toHaveLength(1);
      expect(policy.Properties.Users).toBeUndefined();
      expect(policy.Properties.Groups).toBeUndefined();
    }
  });

  it('puts guard-rail events on a bus of its own: every function log group subscribed, one rule to the topic', () => {
    const { guardrailEvents, healthProbe } = api.bulwark;
    const busId = logicalIdInStack(guardrailEvents.bus);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: `bulwark-${stage}-guardrails` });
    expect(template.findResources('AWS::Events::EventBusPolicy')).toEqual({});
    const filters = Object.values(
      template.findResources('AWS::Logs::SubscriptionFilter'),
    ) as CfnResourceJson[];
    expect(filters).toHaveLength(securedFunctions.length + realtimeGateway.length);
    for (const { Properties } of filters)
      expect(Properties.FilterPattern).toBe('{ $.message = "guard-rail event" }');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: { source: ['bulwark.guardrails'], 'detail-type': ['HealthChanged'] },
      Targets: Match.arrayWith([Match.objectLike({ DeadLetterConfig: Match.anyValue() })]),
    });
    // Only the forwarder may put events, and only on this bus.
    const putters = (Object.values(template.findResources('AWS::IAM::Policy')) as CfnResourceJson[]).filter(
      (policy) => JSON.stringify(policy.Properties.PolicyDocument).includes('events:PutEvents'),
    );
    expect(putters).toHaveLength(1);
    expect(JSON.stringify(putters[0]?.Properties.PolicyDocument)).toContain(busId);
    const forwarderId = logicalIdInStack(guardrailEvents.forwarder.function);
    const forwarder = template.findResources('AWS::Lambda::Function')[forwarderId] as CfnResourceJson;
    expect(JSON.stringify(forwarder.Properties.Environment)).toContain('GUARDRAIL_EVENT_BUS_NAME');
    expect(forwarder.Properties.DeadLetterConfig).toBeDefined();

    // The probe: every 5 minutes, a secret of its own, the stage URL, and the two alarms.
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({ DeadLetterConfig: Match.anyValue() }),
    });
    const probeId = logicalIdInStack(healthProbe.probe.function);
    const probe = template.findResources('AWS::Lambda::Function')[probeId] as CfnResourceJson;
    const variables = JSON.stringify((probe.Properties.Environment as Json).Variables);
    expect(variables).toContain('HEALTH_PROBE_URL');
    expect(variables).toContain(logicalIdInStack(healthProbe.secret));
    const alarmNames = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
    for (const name of [
      'guardrail-breach',
      'guardrail-forwarder-errors',
      'guardrail-dead-letters',
      'health-full',
      'health-full-latency',
    ]) {
      expect(alarmNames).toContain(`bulwark-${stage}-${name}`);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `bulwark-${stage}-health-full`,
      MetricName: 'HealthFullOk',
      TreatMissingData: 'breaching',
    });
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

  it('sends ANY on every resource that serves a route to the fallback live alias, and has no catch-all', () => {
    const fallbackAlias = aliasLogicalIdOf(api, fallbackRoute.id);
    const anyMethods = methodsOf(template).filter((method) => method.httpMethod === 'ANY');
    expect(anyMethods.map((method) => method.path).sort()).toEqual(routePaths().sort());
    for (const method of anyMethods) expect(method.integrationUri).toContain(`{"Ref":"${fallbackAlias}"}`);
    // Unknown paths (and resources on the way to a route, such as /auth) have no method: API Gateway
    // answers them itself with MISSING_AUTHENTICATION_TOKEN, a 404 not-found problem, invoking nothing.
    const paths = [...resourcePaths(template).values()];
    expect(paths).not.toContain('/{proxy+}');
    expect(methodsOf(template).filter((method) => method.path === '/')).toEqual([]);
    expect(
      methodsOf(template).filter((method) => !routePaths().includes(method.path)),
      'methods on resources without a route',
    ).toEqual([]);
  });

  it('lets API Gateway invoke only the live aliases, each from its own methods or WebSocket route', () => {
    const all = Object.values(template.findResources('AWS::Lambda::Permission')) as CfnResourceJson[];
    const aliases = new Set(securedFunctions.map((secured) => aliasLogicalIdOf(api, secured.id)));
    const webSocketAliases = new Set(webSocketFunctionIds.map((id) => aliasLogicalIdOf(api, id)));
    // Besides API Gateway, only CloudWatch Logs may invoke, and only the guard-rail forwarder.
    const forwarder = logicalIdInStack(api.bulwark.guardrailEvents.forwarder.function);
    for (const { Properties } of all.filter(
      ({ Properties }) => Properties.Principal === 'logs.amazonaws.com',
    )) {
      expect(JSON.stringify(Properties.FunctionName)).toContain(forwarder);
    }
    // The WebSocket API invokes one alias per route ($connect, $disconnect, $default), from its own API.
    const webSocketPermissions = all.filter(({ Properties }) =>
      webSocketAliases.has(String((Properties.FunctionName as Json | undefined)?.Ref)),
    );
    expect(webSocketPermissions).toHaveLength(webSocketFunctionIds.length);
    for (const { Properties } of webSocketPermissions) {
      expect(Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(Properties.SourceArn)).toContain(
        `{"Ref":"${logicalIdInStack(api.realtime.api)}"}`,
      );
    }
    const permissions = all.filter(
      ({ Properties }) =>
        Properties.Principal !== 'logs.amazonaws.com' &&
        !webSocketAliases.has(String((Properties.FunctionName as Json | undefined)?.Ref)),
    );
    // One per route, from its method, path and stage; one for the fallback, from any method and path of
    // this API's stage (it serves ANY on every route's path).
    expect(permissions).toHaveLength(routes.length + 1);
    for (const { Properties } of permissions) {
      expect(Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(aliases.has(String((Properties.FunctionName as Json).Ref))).toBe(true);
      expect(JSON.stringify(Properties.SourceArn)).toContain(`{"Ref":"${logicalIdInStack(api.api)}"}`);
    }
    const sourceOf = (routeId: string): string => {
      const found = permissions.filter(
        ({ Properties }) => (Properties.FunctionName as Json).Ref === aliasLogicalIdOf(api, routeId),
      );
      expect(found, routeId).toHaveLength(1);
      const sourceArn = (found[0] as CfnResourceJson).Properties.SourceArn as Json;
      const [, parts] = sourceArn['Fn::Join'] as [string, unknown[]];
      return String(parts.at(-1));
    };
    for (const route of routes) expect(sourceOf(route.id)).toBe(`/${stage}/${route.method}${route.path}`);
    expect(sourceOf(fallbackRoute.id)).toBe(`/${stage}/*/*`);
  });

  it('leaves authentication to the functions and validates body and parameters on every method', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    const methods = methodsOf(template);
    expect(methods.length).toBe(routes.length + routePaths().length);
    for (const method of methods) {
      expect(method.properties.AuthorizationType).toBe('NONE');
      expect(method.properties.RequestValidatorId).toBeDefined();
      expect((method.properties.Integration as Json).Type).toBe('AWS_PROXY');
    }
  });

  it.each(routes.map((route) => [route.id, route] as const))(
    'gives route %s the JSON-Schema model of its zod body, or none when it takes none or may omit it',
    (routeId, route: RouteDefinition) => {
      const method = methodsOf(template).find(
        (candidate) => candidate.path === route.path && candidate.httpMethod === route.method,
      );
      const models = method?.properties.RequestModels as Record<string, { Ref: string }> | undefined;
      if (route.body === undefined || route.body.optional === true) {
        expect(models, routeId).toBeUndefined();
        return;
      }
      const modelId = models?.['application/json']?.Ref ?? '';
      const model = template.findResources('AWS::ApiGateway::Model')[modelId] as CfnResourceJson;
      expect(model.Properties.ContentType).toBe('application/json');
      const schema = model.Properties.Schema as Json;
      expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
      if (routeId === 'publish-datasource-event') {
        // Any JSON value is an event's data: the model only asks for JSON (no type, no properties).
        expect(schema.type).toBeUndefined();
        expect(schema.properties).toBeUndefined();
      } else {
        expect(schema.type).toBe('object');
        // Strict like the zod schema: an unknown field stops at the gateway.
        expect(schema.additionalProperties).toBe(false);
      }
      // Nothing that API Gateway's Java validator could judge differently from zod.
      const text = JSON.stringify(schema);
      for (const keyword of ['"pattern"', '"format"', '"integer"', '"default"'])
        expect(text, `${routeId} ${keyword}`).not.toContain(keyword);
      // Path parameters are declared (required, non-blank).
      for (const [, name] of route.path.matchAll(/\{(\w+)\}/g))
        expect(method?.properties.RequestParameters, routeId).toMatchObject({
          [`method.request.path.${name}`]: true,
        });
    },
  );

  it('generates the login model from logInInput: both fields required, lengths in code points', () => {
    const method = methodsOf(template).find((candidate) => candidate.path === '/auth/login');
    const models = (method?.properties.RequestModels ?? {}) as Record<string, { Ref: string }>;
    const modelId = models['application/json']?.Ref;
    const schema = (template.findResources('AWS::ApiGateway::Model')[modelId ?? ''] as CfnResourceJson)
      .Properties.Schema;
    expect(schema).toEqual({
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: {
        // zod's .min(1) counts UTF-16 units; one code point may be two: the gateway asks for ceil(1 / 2).
        username: { type: 'string', minLength: 1, maxLength: 64 },
        password: { type: 'string', minLength: 1, maxLength: 72 },
      },
      required: ['username', 'password'],
      additionalProperties: false,
    });
  });

  it('runs every function on nodejs24.x and arm64, without parsing source maps at cold start, with its own log group', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as CfnResourceJson[];
    // Every route, the fallback, the first admin's (invoked through IAM), the guard-rail forwarder, the
    // health probe and the pre-traffic hook, and the realtime gateway's.
    expect(functions).toHaveLength(routes.length + 5 + realtimeGateway.length);
    const logGroups = new Set<string>();
    for (const { Properties } of functions) {
      expect(Properties.Runtime).toBe('nodejs24.x');
      expect(Properties.Architectures).toEqual(['arm64']);
      expect(Properties.Handler).toBe('index.handler');
      // --enable-source-maps would parse the bundle's map at every cold start (scripts/resolve-stack.ts reads it).
      expect(
        ((Properties.Environment as Json | undefined)?.Variables as Json | undefined)?.NODE_OPTIONS,
      ).toBeUndefined();
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

    it('lets only the listings and the full health check Scan: list-api-keys, list-users, health-full', () => {
      const scans = allPermissions().flatMap(([id, lines]) =>
        lines.filter((line) => line.split(' ')[1] === 'Scan').map((line) => `${id}: ${line}`),
      );
      expect(scans.sort()).toEqual([
        `health-full: apiKeys Scan ${anyKey}`,
        `list-api-keys: apiKeys Scan ${anyKey}`,
        `list-users: users Scan ${anyKey}`,
      ]);
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
        // Logout and the user-administration routes also revoke sessions (family#, session#), the full
        // health check reads a key no item has (health#); every other verifier touches markers only.
        const revokers = [
          'logout',
          'update-user',
          'set-user-password',
          'revoke-user-sessions',
          'delete-user',
        ];
        const allowed = revokers.includes(id)
          ? [' revoked#*', ' family#*', ' session#*']
          : id === 'health-full'
            ? [' revoked#*', ' health#*']
            : [' revoked#*'];
        expect(
          sessions.every((line) => allowed.some((suffix) => line.endsWith(suffix))),
          id,
        ).toBe(true);
      }
      for (const [, lines] of allPermissions()) {
        expect(lines.filter((line) => line.startsWith('sessions ') && line.endsWith(anyKey))).toEqual([]);
        for (const line of lines.filter((entry) => entry.startsWith('sessions ConditionCheckItem'))) {
          expect(line).toBe('sessions ConditionCheckItem revoked#*');
        }
      }
    });

    it("lets every verifier read API-key records and update them (the key's limiter slots, ADR 0005), and no public function touch them", () => {
      const verifiers = routes.filter((route) => route.auth === 'required').map((route) => route.id);
      for (const id of verifiers) {
        expect(permissionsOf(id), id).toEqual(
          expect.arrayContaining([`apiKeys GetItem ${anyKey}`, `apiKeys UpdateItem ${anyKey}`]),
        );
      }
      // Record writes beyond the limiter's are the admin routes' (create, update, revoke, rotate).
      const writers = allPermissions()
        .filter(([, lines]) => lines.some((line) => line.startsWith('apiKeys PutItem')))
        .map(([id]) => id);
      expect(writers).toEqual(['create-api-key']);
      for (const id of ['health', 'jwks', fallbackRoute.id]) {
        expect(permissionsOf(id).filter((line) => line.startsWith('apiKeys '))).toEqual([]);
      }
    });

    it('keeps login failure streaks (login#) to the login function and scopes every rate-limit grant', () => {
      for (const [id, lines] of allPermissions()) {
        const rateLimits = lines.filter((line) => line.startsWith('rateLimits '));
        const expected =
          id === 'login' ? ['rl#*', 'login#*'] : id === 'health-full' ? ['rl#*', 'health#*'] : ['rl#*'];
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
        if (!wanted && (route.secretMetadata ?? []).includes(definition.id)) {
          // Metadata only: DescribeSecret (rotation dates), never GetSecretValue.
          expect([...new Set(actionsOf(onSecret))]).toEqual(['secretsmanager:DescribeSecret']);
          expect(JSON.stringify(environment[definition.environmentVariable])).toContain(
            secretLogicalId(definition.id),
          );
        } else if (wanted) {
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
      // Two or more secrets are read at cold start in one BatchGetSecretValue, on `*` (the action has no
      // resource-level permissions; each secret still needs the GetSecretValue above).
      // (CDK merges it with other `*` statements, X-Ray's, which the check of other actions below covers.)
      const batch = secretsManager.filter((statement) =>
        actionsOf([statement]).includes('secretsmanager:BatchGetSecretValue'),
      );
      expect(batch.map((statement) => statement.Resource)).toEqual(route.secrets.length >= 2 ? ['*'] : []);
      expect(
        secretsManager
          .filter((statement) => statement.Resource === '*')
          .flatMap((statement) => actionsOf([statement])),
      ).not.toContain('secretsmanager:GetSecretValue');

      // Log triage reads the stage's function logs with Logs Insights (StartQuery on those groups only)
      // and, with a model set, invokes that model only (see the log triage test below).
      const triage = route.capabilities?.includes('log-triage') === true;
      const triageActions = actionsOf(statements).filter((action) =>
        /^(logs:(StartQuery|GetQueryResults)|bedrock:)/.test(action),
      );
      expect(triageActions.sort()).toEqual(
        triage
          ? [
              'logs:GetQueryResults',
              'logs:StartQuery',
              ...(built.config.runtime.triage.modelId === '' ? [] : ['bedrock:InvokeModel']),
            ].sort()
          : [],
      );
      expect(environment.TRIAGE_LOG_GROUPS === undefined).toBe(!triage);

      // Anything else is logging (the function's own log group), X-Ray tracing, or for a route that
      // manages realtime connections, ManageConnections on the WebSocket stage.
      const other = actionsOf(statements).filter(
        (action) =>
          !action.startsWith('dynamodb:') &&
          !action.startsWith('secretsmanager:') &&
          !triageActions.includes(action),
      );
      for (const action of other) {
        if (action === 'execute-api:ManageConnections') expect(route.realtime).toBe('manage-connections');
        // The secrets key, through Secrets Manager only (test/infra/secret-access.test.ts): readers only.
        else if (action === 'kms:Decrypt') expect(route.secrets.length).toBeGreaterThan(0);
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
      roleNames.set(logicalIdInStack(fn.role), secured.id);
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

  it('deploys the first admin function outside the API: no alias, no API Gateway permission, its grants and an output', () => {
    const fn = api.bulwark.firstAdminFunction;
    const logicalId = logicalIdInStack(fn.function);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as CfnResourceJson[];
    expect(permissions.filter((p) => JSON.stringify(p.Properties).includes(logicalId))).toEqual([]);
    const aliases = Object.values(template.findResources('AWS::Lambda::Alias')) as CfnResourceJson[];
    expect(aliases.filter((a) => JSON.stringify(a.Properties).includes(logicalId))).toEqual([]);
    const roleId = logicalIdInStack(fn.role);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as CfnResourceJson[];
    const statements = policies
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const dynamoActions = statements
      .flatMap((statement) => actionsOf([statement]))
      .filter((a) => a.startsWith('dynamodb:'));
    expect(dynamoActions.sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Scan']);
    expect(JSON.stringify(statements)).toContain('ApiKeyPepper');
    const outputs = Object.values(template.toJSON().Outputs ?? {}) as { Value?: unknown }[];
    expect(outputs.map((output) => output.Value)).toContainEqual({ Ref: logicalId });
  });

  it("saves the runbooks' Logs Insights queries over every function log group, the access log and the WAF log", () => {
    const queries = template.findResources('AWS::Logs::QueryDefinition') as Record<string, CfnResourceJson>;
    const byName = new Map(
      Object.values(queries).map(({ Properties }) => [String(Properties.Name), Properties] as const),
    );
    expect([...byName.keys()].sort()).toEqual(
      [
        '401-by-reason',
        '429-and-5xx-from-api-gateway',
        '429-from-the-functions',
        '503-by-dependency',
        'one-request',
        'waf-blocks-by-rule',
      ].map((name) => `bulwark-${stage}/${name}`),
    );
    const functionCount = routes.length + 1;
    const groupsOf = (name: string) => byName.get(`bulwark-${stage}/${name}`)?.LogGroupNames as unknown[];
    expect(groupsOf('429-from-the-functions')).toHaveLength(functionCount);
    expect(groupsOf('one-request')).toHaveLength(functionCount + 1);
    expect(groupsOf('waf-blocks-by-rule')).toEqual([{ Ref: logicalIdInStack(api.webAcl.logGroup) }]);
    const text = (name: string) => String(byName.get(`bulwark-${stage}/${name}`)?.QueryString);
    expect(text('429-from-the-functions')).toContain(`message = "${REQUEST_REJECTED_MESSAGE}"`);
    expect(text('401-by-reason')).toContain(`message = "${AUTHENTICATION_FAILED_MESSAGE}"`);
    expect(text('503-by-dependency')).toContain('by dependency');
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
      ['CredentialRateLimitPerIp', 429],
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
    for (const rule of ['RateLimitPerIp', 'CredentialRateLimitPerIp']) {
      const rateHeaders = customResponses.find(([name]) => name === rule)?.[1].ResponseHeaders;
      expect(rateHeaders?.find((entry) => entry.Name === 'Retry-After')?.Value, rule).toBe('300');
    }
    // WAF quotas: 100 custom response headers and 50 bodies per web ACL.
    expect(headerCount).toBeLessThanOrEqual(100);
    expect(Object.keys(bodies).length).toBeLessThanOrEqual(50);
  });
  it('logs access as JSON no request can break, and execution errors to a log group of its own', () => {
    const stages = Object.values(template.findResources('AWS::ApiGateway::Stage')) as CfnResourceJson[];
    expect(stages).toHaveLength(1);
    const properties = stages[0]?.Properties ?? {};
    const format = String((properties.AccessLogSetting as Json).Format);
    const fields = JSON.parse(format) as Record<string, string>;
    expect(fields).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(fields).toMatchObject({
      tlsVersion: '$context.tlsVersion',
      wafResponseCode: '$context.wafResponseCode',
    });
    // API Gateway substitutes variables unescaped: only values it generates itself may appear, never one a
    // client writes (User-Agent, path, headers, query, an error message), each inside its own string.
    const generatedByApiGateway = new Set([
      '$context.requestId',
      '$context.extendedRequestId',
      '$context.requestTime',
      '$context.requestTimeEpoch',
      '$context.stage',
      '$context.identity.sourceIp',
      '$context.httpMethod',
      '$context.resourcePath',
      '$context.protocol',
      '$context.status',
      '$context.responseLength',
      '$context.responseLatency',
      '$context.integrationLatency',
      '$context.integrationStatus',
      '$context.error.responseType',
      '$context.wafResponseCode',
      '$context.tlsVersion',
      '$context.cipherSuite',
      '$context.xrayTraceId',
    ]);
    for (const value of Object.values(fields)) expect(generatedByApiGateway.has(value), value).toBe(true);
    expect(format).not.toMatch(
      /userAgent|\$context\.path|\$context\.error\.message|\$input|\$request|header/i,
    );
    expect(properties.StageName).toBe(stage);
    expect(properties.TracingEnabled).toBe(built.config.tracingEnabled);
    expect(properties.MethodSettings).toContainEqual(
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        ThrottlingRateLimit: built.config.throttling.rateLimitPerSecond,
        ThrottlingBurstLimit: built.config.throttling.burstLimit,
      }),
    );
    // The execution log group API Gateway would otherwise create itself, without retention or key.
    const stageDependencies = template.findResources('AWS::ApiGateway::Stage') as Record<
      string,
      { DependsOn?: string[] }
    >;
    const executionLogsId = logicalIdInStack(api.routeApi.executionLogs);
    expect(Object.values(stageDependencies)[0]?.DependsOn).toContain(executionLogsId);
    const executionLogs = template.findResources('AWS::Logs::LogGroup')[executionLogsId] as CfnResourceJson;
    expect(JSON.stringify(executionLogs.Properties.LogGroupName)).toContain('API-Gateway-Execution-Logs_');
    expect(JSON.stringify(executionLogs.Properties.LogGroupName)).toContain(`/${stage}`);
    expect(executionLogs.Properties.RetentionInDays).toBeDefined();
  });

  it('throttles each method at its capacity class: credentials far below reads, ANY at the fallback class', () => {
    const settings = (
      ((Object.values(template.findResources('AWS::ApiGateway::Stage')) as CfnResourceJson[])[0]?.Properties
        .MethodSettings ?? []) as Json[]
    ).filter((setting) => setting.HttpMethod !== '*');
    const byKey = new Map(
      settings.map((setting) => [`${String(setting.ResourcePath)} ${String(setting.HttpMethod)}`, setting]),
    );
    const keyOf = (path: string, method: string): string =>
      `/~1${path.slice(1).replaceAll('/', '~1')} ${method}`;
    const { classes } = built.config.capacity;
    for (const route of routes) {
      const setting = byKey.get(keyOf(route.path, route.method));
      const expected = classes[capacityClassOf(route)];
      expect(setting, `${route.method} ${route.path}`).toMatchObject({
        ThrottlingRateLimit: expected.rateLimitPerSecond,
        ThrottlingBurstLimit: expected.burstLimit,
        // A per-method entry would otherwise switch off the stage's logging and metrics for that method.
        LoggingLevel: 'ERROR',
        MetricsEnabled: true,
        DataTraceEnabled: false,
      });
    }
    // What ANY receives on a route's resource (OPTIONS, other methods) is named method by method.
    for (const path of routePaths()) {
      const served = routes.filter((route) => route.path === path).map((route) => route.method as string);
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].filter(
        (candidate) => !served.includes(candidate),
      )) {
        expect(byKey.get(keyOf(path, method)), `${method} ${path}`).toMatchObject({
          ThrottlingRateLimit: classes.fallback.rateLimitPerSecond,
          ThrottlingBurstLimit: classes.fallback.burstLimit,
        });
      }
    }
    expect(capacityClassOf(routes.find((route) => route.id === 'login') as RouteDefinition)).toBe(
      'credentials',
    );
    expect(capacityClassOf(routes.find((route) => route.id === 'refresh-token') as RouteDefinition)).toBe(
      'credentials',
    );
    expect(classes.credentials.rateLimitPerSecond * 4).toBeLessThanOrEqual(
      classes.standard.rateLimitPerSecond,
    );
  });

  it('accepts TLS 1.3 only on the API endpoint (enhanced security policy, strict endpoint access)', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      EndpointAccessMode: 'STRICT',
    });
  });

  it('reserves concurrency for every function by its capacity class, within the account quota', () => {
    const { classes, accountConcurrency } = built.config.capacity;
    let reserved = 0;
    for (const secured of securedFunctions) {
      const fn = template.findResources('AWS::Lambda::Function')[
        logicalIdOf(api, secured.id)
      ] as CfnResourceJson;
      const expected = classes[capacityClassOf(secured)].reservedConcurrency;
      expect(fn.Properties.ReservedConcurrentExecutions, secured.id).toBe(expected);
      reserved += expected;
    }
    // And the first admin's function: every function of the stack reserves, and all fit the quota.
    const firstAdmin = template.findResources('AWS::Lambda::Function')[
      logicalIdInStack(api.bulwark.firstAdminFunction.function)
    ] as CfnResourceJson;
    expect(firstAdmin.Properties.ReservedConcurrentExecutions).toBe(classes.admin.reservedConcurrency);
    reserved += classes.admin.reservedConcurrency;
    expect(reserved).toBeLessThanOrEqual(accountConcurrency - 100);
    expect(capacityClassOf(fallbackRoute)).toBe('fallback');
  });

  it('reserves the public class’s concurrency for the WebSocket functions, none for the stream function', () => {
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, CfnResourceJson>;
    const { classes } = built.config.capacity;
    for (const entry of realtimeGateway) {
      const fn = functions[logicalIdOf(api, entry.id)];
      expect(fn?.Properties.ReservedConcurrentExecutions, entry.id).toBe(
        entry.trigger.kind === 'websocket' ? classes.public.reservedConcurrency : undefined,
      );
    }
  });

  it('gives 1,024 MB only to the functions that hash passwords', () => {
    const { functions } = built.config;
    for (const secured of securedFunctions) {
      const fn = template.findResources('AWS::Lambda::Function')[
        logicalIdOf(api, secured.id)
      ] as CfnResourceJson;
      expect(fn.Properties.MemorySize, secured.id).toBe(
        secured.hashesPasswords === true ? functions.hashingMemorySizeMb : functions.memorySizeMb,
      );
    }
    expect(
      securedFunctions
        .filter((secured) => secured.hashesPasswords === true)
        .map((fn) => fn.id)
        .sort(),
    ).toEqual(['create-user', 'login', 'set-user-password']);
    expect(functions.hashingMemorySizeMb).toBe(1024);
    expect(functions.memorySizeMb).toBeLessThan(1024);
  });

  it('encrypts every log group of the API stack with its logs key, which only CloudWatch Logs of this account may use', () => {
    const keyId = logicalIdInStack(api.bulwark.logsKey.key);
    const logGroups = template.findResources('AWS::Logs::LogGroup') as Record<string, CfnResourceJson>;
    for (const [id, { Properties }] of Object.entries(logGroups))
      expect(Properties.KmsKeyId, id).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const key = template.findResources('AWS::KMS::Key')[keyId] as CfnResourceJson;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements = (key.Properties.KeyPolicy as { Statement: Statement[] & { Principal?: unknown }[] })
      .Statement as (Statement & { Principal: unknown })[];
    const logs = statements.find((statement) => JSON.stringify(statement.Principal).includes('logs.'));
    expect(JSON.stringify(logs?.Principal)).toContain('logs.eu-west-1.amazonaws.com');
    expect(JSON.stringify(logs?.Condition)).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(JSON.stringify(logs?.Condition)).toContain(':123456789012:log-group:*');
  });

  it('tries before traffic only the functions the hook has a probe for (a REST request): not the gateway', () => {
    const probes = JSON.stringify(
      (
        (template.findResources('AWS::Lambda::Function')[logicalIdOf(api, '__hook__')] as CfnResourceJson)
          .Properties.Environment as { Variables: Json }
      ).Variables.BULWARK_PRE_TRAFFIC_PROBES,
    );
    for (const id of gatewayFunctionIds()) {
      const alias = template.findResources('AWS::Lambda::Alias')[
        aliasLogicalIdOf(api, id)
      ] as CfnResourceJson & {
        UpdatePolicy: { CodeDeployLambdaAliasUpdate: Json };
      };
      // A hook without a probe for the function fails every deployment of it.
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook, id).toBeUndefined();
      expect(probes).not.toContain(logicalIdOf(api, id));
    }
  });

  it.each(securedFunctions.map((secured) => [secured.id] as const))(
    'releases %s through its live alias as a 10%%-for-5-minutes canary that its alarms roll back',
    (routeId) => {
      const release = api.releases.get(routeId);
      if (release === undefined) throw new Error(`No release for ${routeId}`);
      const aliasId = aliasLogicalIdOf(api, routeId);
      const alias = template.findResources('AWS::Lambda::Alias')[aliasId] as CfnResourceJson & {
        UpdatePolicy: {
          CodeDeployLambdaAliasUpdate: { DeploymentGroupName: Json; BeforeAllowTrafficHook: Json };
        };
      };
      expect(alias.Properties.Name).toBe('live');
      expect(alias.Properties.FunctionName).toEqual({ Ref: logicalIdOf(api, routeId) });
      expect(JSON.stringify(alias.Properties.FunctionVersion)).toContain('CurrentVersion');

      const groupId = logicalIdInStack(release.deploymentGroup);
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName).toEqual({ Ref: groupId });
      // Tried before any traffic moves: the pre-traffic hook calls the new version first.
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook).toEqual({
        Ref: logicalIdInStack(api.bulwark.preTrafficHook.function),
      });
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
      // The released version's own errors roll back, never the function-wide ones (an old version's).
      const own = [release.versionErrorsAlarm, release.throttlesAlarm];
      const shared = [...api.monitoring.rolloutAlarms, ...api.realtime.monitoring.rolloutAlarms];
      expect(alarmRefs).toEqual(
        [...own, ...shared].map((alarm) => ({
          Ref: logicalIdInStack(alarm),
        })),
      );

      // The function's own alarms watch its Lambda Errors and Throttles and notify the topic.
      for (const [alarm, metricName] of [
        [release.errorsAlarm, 'Errors'],
        [release.throttlesAlarm, 'Throttles'],
      ] as const) {
        const properties = (
          template.findResources('AWS::CloudWatch::Alarm')[logicalIdInStack(alarm)] as CfnResourceJson
        ).Properties;
        expect(properties.MetricName).toBe(metricName);
        expect(properties.Namespace).toBe('AWS/Lambda');
        expect(properties.Dimensions).toEqual([
          { Name: 'FunctionName', Value: { Ref: logicalIdOf(api, routeId) } },
        ]);
      }
      const version = (
        template.findResources('AWS::CloudWatch::Alarm')[
          logicalIdInStack(release.versionErrorsAlarm)
        ] as CfnResourceJson
      ).Properties;
      expect(version.MetricName).toBe('Errors');
      const dimensions = new Map(
        (version.Dimensions as { Name: string; Value: unknown }[]).map((d) => [
          d.Name,
          JSON.stringify(d.Value),
        ]),
      );
      expect(dimensions.get('FunctionName')).toBe(JSON.stringify({ Ref: logicalIdOf(api, routeId) }));
      expect(dimensions.get('Resource')).toContain(':live');
      // The version CloudFormation publishes for this release, not the whole function.
      expect(dimensions.get('ExecutedVersion')).toContain('CurrentVersion');
      expect(dimensions.get('ExecutedVersion')).toContain('"Version"');
      expect(version.AlarmActions).toBeUndefined();
    },
  );

  it('tries every release with its route request through a pre-traffic hook that may invoke only their versions', () => {
    const hook = api.bulwark.preTrafficHook;
    const hookFunction = template.findResources('AWS::Lambda::Function')[
      logicalIdInStack(hook.function)
    ] as CfnResourceJson;
    const variables = (hookFunction.Properties.Environment as { Variables: Json }).Variables;
    expect(variables.BULWARK_API_STAGE).toBe(stage);
    expect(JSON.stringify(variables.BULWARK_API_HOST)).toContain('.execute-api.');
    const probes = JSON.stringify(variables.BULWARK_PRE_TRAFFIC_PROBES);
    for (const secured of securedFunctions)
      expect(probes, secured.id).toContain(logicalIdOf(api, secured.id));
    for (const route of routes) expect(probes, route.id).toContain(`\\"path\\":\\"${route.path}\\"`);

    const statements = statementsOf(template, api, '__hook__');
    const invokes = statements.filter((statement) =>
      actionsOf([statement]).includes('lambda:InvokeFunction'),
    );
    const invoked = invokes.flatMap((statement) =>
      [statement.Resource].flat().map((resource) => JSON.stringify(resource)),
    );
    expect(invoked).toHaveLength(securedFunctions.length);
    for (const secured of securedFunctions)
      expect(
        invoked.some(
          (resource) => resource.includes(logicalIdOf(api, secured.id)) && resource.includes(':*'),
        ),
      );
    const actions = new Set(actionsOf(statements));
    expect([...actions].sort()).toEqual(
      [
        'codedeploy:GetApplicationRevision',
        'codedeploy:GetDeployment',
        'codedeploy:PutLifecycleEventHookExecutionStatus',
        'lambda:InvokeFunction',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
  });

  it('puts a regional WAF web ACL with per-IP rate rules, three managed groups, a body-content rule and a body size rule on the stage', () => {
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
    // The common rule set's own 8 KB body rule only counts: BodyTooLarge enforces API_BODY_MAX_BYTES. Its
    // body-content rules only count too: BodyContentOutsidePasswordRoutes blocks on their labels.
    expect(byName.get('AWSManagedRulesCommonRuleSet')).toMatchObject({
      ManagedRuleGroupStatement: {
        RuleActionOverrides: [
          { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
          { Name: 'CrossSiteScripting_BODY', ActionToUse: { Count: {} } },
          { Name: 'GenericLFI_BODY', ActionToUse: { Count: {} } },
          { Name: 'GenericRFI_BODY', ActionToUse: { Count: {} } },
          { Name: 'EC2MetaDataSSRF_BODY', ActionToUse: { Count: {} } },
        ],
      },
    });
    // The per-IP rule for login and refresh: far lower than the global one, scoped to their paths.
    expect(byName.get('CredentialRateLimitPerIp')).toMatchObject({
      RateBasedStatement: {
        Limit: built.config.operations.waf.credentialRequestsPerIpPer5Minutes,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
        ScopeDownStatement: {
          RegexMatchStatement: {
            FieldToMatch: { UriPath: {} },
            RegexString: `^(?:/${stage})?(?:/auth/login|/auth/token/refresh)/?$`,
            TextTransformations: [
              { Priority: 0, Type: 'URL_DECODE' },
              { Priority: 1, Type: 'NORMALIZE_PATH' },
            ],
          },
        },
      },
    });
    expect(built.config.operations.waf.credentialRequestsPerIpPer5Minutes * 10).toBeLessThanOrEqual(
      built.config.operations.waf.requestsPerIpPer5Minutes,
    );
    // Rules run in this order; the body-content rule must come after the group whose labels it reads.
    expect(rules.map((rule) => rule.Name)).toEqual([
      'RateLimitPerIp',
      'CredentialRateLimitPerIp',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
      'BodyContentOutsidePasswordRoutes',
      'BodyTooLarge',
    ]);
    expect(rules.map((rule) => rule.Priority)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Named as its metrics' WebACL dimension, unique per stack.
    expect(acl.Name).toBe(`Bulwark-${stage}-Api-web-acl`);
    expect((acl.VisibilityConfig as Json).MetricName).toBe(acl.Name);
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

    const stageId = logicalIdInStack(api.api.deploymentStage);
    const associations = Object.values(
      template.findResources('AWS::WAFv2::WebACLAssociation'),
    ) as CfnResourceJson[];
    expect(associations).toHaveLength(1);
    expect(JSON.stringify(associations[0]?.Properties.ResourceArn)).toContain(`{"Ref":"${stageId}"}`);
    expect(JSON.stringify(associations[0]?.Properties.WebACLArn)).toContain('Fn::GetAtt');
  });

  it('logs what WAF blocked or counted to an aws-waf-logs- group with retention, redacting the credential headers', () => {
    const configs = Object.values(
      template.findResources('AWS::WAFv2::LoggingConfiguration'),
    ) as CfnResourceJson[];
    expect(configs).toHaveLength(1);
    const properties = configs[0]?.Properties ?? {};
    expect(properties.RedactedFields).toEqual([
      { SingleHeader: { Name: 'authorization' } },
      { SingleHeader: { Name: 'x-api-key' } },
    ]);
    // Allowed requests are in the access logs: WAF keeps only its blocks and counts.
    expect(properties.LoggingFilter).toEqual({
      DefaultBehavior: 'DROP',
      Filters: [
        {
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: [
            { ActionCondition: { Action: 'BLOCK' } },
            { ActionCondition: { Action: 'COUNT' } },
            { ActionCondition: { Action: 'EXCLUDED_AS_COUNT' } },
          ],
        },
      ],
    });
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
    const propertiesOf = (alarm: IConstruct): Json => {
      const found = alarms[logicalIdInStack(alarm)];
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

    // A circuit breaker opened (any dependency); not a rollout alarm.
    const breaker = propertiesOf(monitoring.breakerOpened);
    expect(expressionOf(breaker)).toContain(
      'SELECT SUM(breaker_opened) FROM SCHEMA(\\"Bulwark\\", dependency, service)',
    );
    expect(breaker.Threshold).toBe(0);
    expect(monitoring.rolloutAlarms).not.toContain(monitoring.breakerOpened);

    // 12 stack-wide alarms and the topic's delivery alarm; Errors, Throttles, release errors and duration
    // per function; throttling and system errors per table. Every one notifies the topic, except the
    // release-errors alarms, which only CodeDeploy reads (the function-wide Errors alarm pages).
    const tableCount = Object.keys(tableDefinitions).length;
    // And 3 guard-rail and 2 health-probe alarms, the breaker alarm, and the realtime gateway's 4 alarms
    // and 3 per gateway function (Errors, Throttles, release errors: no route duration alarm).
    expect(Object.keys(alarms)).toHaveLength(
      13 + 4 * securedFunctions.length + 3 * realtimeGateway.length + 2 * tableCount + 3 + 2 + 1 + 4,
    );
    const topicId = logicalIdInStack(api.alarmTopic.topic);
    const releaseAlarms = new Set(
      [...api.releases.values()].map((release) => logicalIdInStack(release.versionErrorsAlarm)),
    );
    for (const [id, { Properties }] of Object.entries(alarms)) {
      if (releaseAlarms.has(id)) continue;
      expect(Properties.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(Properties.OKActions, id).toEqual([{ Ref: topicId }]);
    }
  });

  it('lets CloudWatch alarms of this account publish to the encrypted alarm topic, and nothing else, over TLS only', () => {
    const keyId = logicalIdInStack(api.alarmTopic.key);
    const topicId = logicalIdInStack(api.alarmTopic.topic);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const key = template.findResources('AWS::KMS::Key')[keyId] as CfnResourceJson;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const keyStatements = (key.Properties.KeyPolicy as { Statement: (Statement & { Principal: unknown })[] })
      .Statement;
    for (const [service, sourceArn] of [
      ['cloudwatch.amazonaws.com', ':cloudwatch:eu-west-1:123456789012:alarm:*'],
      ['events.amazonaws.com', ':events:eu-west-1:123456789012:rule/*'],
    ] as const) {
      const statement = keyStatements.find((candidate) =>
        JSON.stringify(candidate.Principal).includes(service),
      );
      expect(statement?.Action, service).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
      // Confused deputy: only this account's alarms and rules may make the service use the key.
      expect(statement?.Condition?.StringEquals, service).toEqual({ 'aws:SourceAccount': '123456789012' });
      expect(JSON.stringify(statement?.Condition?.ArnLike), service).toContain(sourceArn);
    }

    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as CfnResourceJson[];
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.Topics).toEqual([{ Ref: topicId }]);
    const statements = (
      (policies[0]?.Properties.PolicyDocument ?? { Statement: [] }) as {
        Statement: (Statement & { Principal: unknown })[];
      }
    ).Statement;
    // A topic policy replaces SNS's default one: without this allow, alarms fire and nobody hears of them.
    const fromAlarms = statements.find((statement) =>
      JSON.stringify(statement.Principal).includes('cloudwatch.amazonaws.com'),
    );
    expect(fromAlarms).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } });
    expect(fromAlarms?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': '123456789012' });
    expect(JSON.stringify(fromAlarms?.Condition?.ArnLike)).toContain(
      ':cloudwatch:eu-west-1:123456789012:alarm:*',
    );
    // Secrets Manager's failed rotations arrive through one EventBridge rule, named exactly.
    const rule = api.monitoring.rotationFailed;
    if (rule === undefined) throw new Error('No rotation-failure rule');
    const fromRule = statements.find((statement) =>
      JSON.stringify(statement.Principal).includes('events.amazonaws.com'),
    );
    expect(fromRule).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } });
    expect(fromRule?.Condition?.ArnEquals).toEqual({
      'aws:SourceArn': { 'Fn::GetAtt': [logicalIdInStack(rule), 'Arn'] },
    });
    // The guard-rail rule is the only other publisher, named by its ARN like the rotation rule.
    const guardrailRuleArn = {
      'Fn::GetAtt': [logicalIdInStack(api.bulwark.guardrailEvents.rule), 'Arn'],
    };
    expect(
      statements.filter((statement) =>
        JSON.stringify(statement.Condition).includes(JSON.stringify(guardrailRuleArn)),
      ),
    ).toHaveLength(1);
    // And the rule for failed AWS Backup jobs, named by its ARN too.
    const backupRuleArn = { 'Fn::GetAtt': [logicalIdInStack(api.monitoring.backupFailed), 'Arn'] };
    expect(
      statements.filter((statement) =>
        JSON.stringify(statement.Condition).includes(JSON.stringify(backupRuleArn)),
      ),
    ).toHaveLength(1);
    expect(statements.filter((statement) => statement.Effect === 'Allow')).toHaveLength(4);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('alarms when SNS cannot deliver an alarm, and says so in a one-command check of the runbook', () => {
    const alarm = template.findResources('AWS::CloudWatch::Alarm')[
      logicalIdInStack(api.alarmTopic.deliveryFailures)
    ] as CfnResourceJson;
    expect(alarm.Properties).toMatchObject({
      AlarmName: `bulwark-${stage}-alarm-delivery-failed`,
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const runbook = readFileSync(new URL('../../docs/runbooks/rollout.md', import.meta.url), 'utf8');
    expect(runbook).toMatch(
      /aws cloudwatch set-alarm-state --alarm-name bulwark-<stage>-\S+ --state-value ALARM/,
    );
  });

  it('pages on the data plane: rotation, DynamoDB per table, p99 latency, duration near the timeout, WAF blocks, 429s, account concurrency', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, CfnResourceJson>;
    const propertiesOf = (alarm: IConstruct | undefined): Json => {
      if (alarm === undefined) throw new Error('Alarm missing');
      const found = alarms[logicalIdInStack(alarm)];
      if (found === undefined) throw new Error('Alarm not in the template');
      return found.Properties;
    };
    const { monitoring, config } = { monitoring: api.monitoring, config: built.config };
    const thresholds = config.operations.alarms;

    // The rotation function lives in the data stack; its errors page through this stack's topic.
    const rotation = propertiesOf(monitoring.rotationErrors);
    expect(rotation).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 0 });
    expect(JSON.stringify(rotation.Dimensions)).toContain('SigningKeyRotationFunction');
    const ruleId = logicalIdInStack(monitoring.rotationFailed as Rule);
    const rule = template.findResources('AWS::Events::Rule')[ruleId] as CfnResourceJson;
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.secretsmanager'],
      'detail-type': ['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['secretsmanager.amazonaws.com'],
        eventName: ['RotationFailed', 'RotationAbandoned'],
      },
    });
    expect(rule.Properties.Targets).toEqual([
      {
        Arn: { Ref: logicalIdInStack(api.alarmTopic.topic) },
        Id: 'AlarmTopic',
      },
    ]);

    // AWS Backup's failed, aborted, expired or partial jobs (the daily table backups) page through the topic.
    const backupRule = template.findResources('AWS::Events::Rule')[
      logicalIdInStack(monitoring.backupFailed)
    ] as CfnResourceJson;
    expect(backupRule.Properties.EventPattern).toEqual({
      source: ['aws.backup'],
      'detail-type': ['Backup Job State Change'],
      detail: { state: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'] },
    });
    expect(backupRule.Properties.Targets).toEqual([
      { Arn: { Ref: logicalIdInStack(api.alarmTopic.topic) }, Id: 'AlarmTopic' },
    ]);

    for (const definition of Object.values(tableDefinitions)) {
      const tableAlarms = monitoring.tableAlarms.get(definition.id);
      const throttled = propertiesOf(tableAlarms?.throttled);
      expect(JSON.stringify(throttled.Metrics)).toContain('ReadThrottleEvents');
      expect(JSON.stringify(throttled.Metrics)).toContain('WriteThrottleEvents');
      expect(JSON.stringify(throttled.Metrics)).toContain(tableLogicalId(definition.id));
      const systemErrors = propertiesOf(tableAlarms?.systemErrors);
      expect(JSON.stringify(systemErrors.Metrics)).toContain(
        'SELECT SUM(SystemErrors) FROM SCHEMA(\\"AWS/DynamoDB\\", Operation, TableName)',
      );
      expect(JSON.stringify(systemErrors.Metrics)).toContain(tableLogicalId(definition.id));
    }

    const latency = propertiesOf(monitoring.latencyP99);
    expect(latency.Threshold).toBe(thresholds.latencyP99Ms);
    expect(JSON.stringify(latency.Metrics)).toContain('"MetricName":"Latency"');
    expect(JSON.stringify(latency.Metrics)).toContain('"Stat":"p99"');
    for (const secured of securedFunctions) {
      const duration = propertiesOf(monitoring.durationAlarms.get(secured.id));
      expect(duration).toMatchObject({ MetricName: 'Duration', Statistic: 'Maximum' });
      expect(duration.Threshold).toBe(
        (config.functions.timeout.toMilliseconds() * thresholds.durationPercentOfTimeout) / 100,
      );
    }
    const webAclName = `Bulwark-${stage}-Api-web-acl`;
    // Single metric or metric math: what the alarm watches, as text.
    const watched = (properties: Json): string => JSON.stringify(properties.Metrics ?? properties);
    const wafBlocked = propertiesOf(monitoring.wafBlocked);
    expect(wafBlocked.Threshold).toBe(config.operations.waf.blockedRequestsPer5Minutes);
    for (const fragment of [
      '"Namespace":"AWS/WAFV2"',
      '"MetricName":"BlockedRequests"',
      `{"Name":"WebACL","Value":"${webAclName}"}`,
      '{"Name":"Rule","Value":"ALL"}',
    ])
      expect(watched(wafBlocked)).toContain(fragment);
    const rateRules = watched(propertiesOf(monitoring.wafRateRuleBlocks));
    for (const rule of ['RateLimitPerIp', 'CredentialRateLimitPerIp'])
      expect(rateRules).toContain(`bulwark-${stage}-${rule}`);
    // API Gateway's own 429s, counted from the access log (errorType THROTTLED) by a metric filter.
    const throttled = propertiesOf(monitoring.gatewayThrottles);
    expect(throttled.Threshold).toBe(thresholds.gatewayThrottlesPer5Minutes);
    expect(watched(throttled)).toContain('"MetricName":"gateway_throttled"');
    expect(watched(throttled)).toContain(`{"Name":"stage","Value":"${stage}"}`);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.errorType = "THROTTLED" }',
      LogGroupName: { Ref: logicalIdInStack(api.routeApi.accessLogs) },
      MetricTransformations: [
        Match.objectLike({
          MetricName: 'gateway_throttled',
          MetricNamespace: 'Bulwark',
          Dimensions: [{ Key: 'stage', Value: '$.stage' }],
        }),
      ],
    });
    const concurrency = propertiesOf(monitoring.accountConcurrency);
    expect(concurrency.Threshold).toBe(
      Math.floor((config.capacity.accountConcurrency * config.capacity.alarmPercent) / 100),
    );
    expect(watched(concurrency)).toContain('"MetricName":"ClaimedAccountConcurrency"');
  });

  it('has a dashboard with traffic, errors, latency, limiter outcomes, auth failures, reuse, guard rails, WAF, concurrency, duration and DynamoDB', () => {
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
      'AWS/WAFV2',
      'BlockedRequests',
      'AllowedRequests',
      'ClaimedAccountConcurrency',
      'ConcurrentExecutions',
      'Duration',
      'ReadThrottleEvents',
      'SystemErrors',
      'SuccessfulRequestLatency',
      'gateway_throttled',
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

  it('stays under the CloudFormation limits of 500 resources and a 1 MB template, in every stack', () => {
    // The limits are per template: the parent and each nested stack of functions (ADR 0018).
    for (const { stack: each, template: own } of stackTemplatesOf(api)) {
      const json = own.toJSON() as { Resources: Json };
      expect(Object.keys(json.Resources).length, each.node.path).toBeLessThan(500);
      expect(Buffer.byteLength(JSON.stringify(json), 'utf8'), each.node.path).toBeLessThan(1_000_000);
    }
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
    template = mergedTemplateOf(api);
  }, synthTimeoutMs);

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
    expect(wafHeaderSets).toHaveLength(3);
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
  it(
    'fails the synth on a finding nobody acknowledged',
    () => {
      const { app } = buildApp('dev', (scope) => {
        const stack = new Stack(scope, 'Unacknowledged', {
          env: { account: '123456789012', region: 'eu-west-1' },
        });
        new Secret(stack, 'SecretWithoutRotation');
      });
      expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
    },
    synthTimeoutMs,
  );

  it('runs the Serverless pack over every stack of the app, the data stack included', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { account: '123456789012', region: 'eu-west-1' };
    for (const id of ['Api', 'Data']) {
      new LambdaFunction(new Stack(app, id, { env }), 'WithoutDeadLetterQueue', {
        runtime: Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => {};'),
      });
    }
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    let report = '';
    try {
      app.synth();
    } catch (error) {
      report = String(error);
    }
    expect(report).toMatch(/Serverless-LambdaDLQ/);
    expect(report).toContain('Api/WithoutDeadLetterQueue');
    expect(report).toContain('Data/WithoutDeadLetterQueue');
    // The real app passes the three packs: the suites above and test/infra/data-stack.test.ts synthesize it.
    expect(readFileSync(new URL('../../infra/app.ts', import.meta.url), 'utf8')).toMatch(
      /^addNagPacks\(app\);$/m,
    );
  });

  it(
    'fails the synth on a NIST 800-53 R5 finding nobody acknowledged, in any stack',
    () => {
      const { app } = buildApp('dev', (scope) => {
        const stack = new Stack(scope, 'Unacknowledged', {
          env: { account: '123456789012', region: 'eu-west-1' },
        });
        // Passes AwsSolutions and Serverless (retention set); NIST also wants a KMS key on it.
        new LogGroup(stack, 'WithoutKey', { retention: RetentionDays.ONE_MONTH });
      });
      let report = '';
      try {
        app.synth();
      } catch (error) {
        report = String(error);
      }
      expect(report).toMatch(/NIST\.800\.53\.R5-CloudWatchLogGroupEncrypted/);
      expect(report).toContain('Unacknowledged/WithoutKey');
      expect(report).not.toMatch(/Bulwark-dev-(Api|Data)\//);
    },
    synthTimeoutMs,
  );
});

describe('capacity that does not fit the account', () => {
  it('is refused at synth, naming the reservations and the quota', { timeout: synthTimeoutMs }, () => {
    expect(() =>
      buildApp('dev', undefined, (config) => ({
        ...config,
        capacity: { ...config.capacity, accountConcurrency: 120 },
      })),
    ).toThrow(/reserve \d+ concurrent executions, but an account quota of 120 leaves only 20/);
  });

  it('counts the WebSocket functions’ reservations with the routes’', { timeout: synthTimeoutMs }, () => {
    const routesOnly = (config: StageConfig): number =>
      securedFunctions.reduce(
        (sum, secured) => sum + config.capacity.classes[capacityClassOf(secured)].reservedConcurrency,
        0,
      );
    // A quota that the routes' reservations fit with Lambda's unreserved 100, but not the gateway's too.
    expect(() =>
      buildApp('dev', undefined, (config) => ({
        ...config,
        capacity: { ...config.capacity, accountConcurrency: routesOnly(config) + 100 },
      })),
    ).toThrow(/the \d+ functions reserve \d+ concurrent executions/);
  });
});

describe('log triage access', () => {
  const withModel = (modelId: string) =>
    buildApp('prod', undefined, (config) => ({
      ...config,
      runtime: { ...config.runtime, triage: { ...config.runtime.triage, modelId } },
    }));
  const triageStatements = (built: ReturnType<typeof buildApp>) =>
    statementsOf(mergedTemplateOf(built.api), built.api, 'summarize-errors').filter((statement) =>
      [statement.Action]
        .flat()
        .some((action) => /^(logs:(StartQuery|GetQueryResults)|bedrock:)/.test(action)),
    );

  it('starts queries only on the stage function log groups (the realtime gateway’s too), and invokes only the configured inference profile', () => {
    const built = withModel('eu.anthropic.claude-haiku-4-5-20251001-v1:0');
    const statements = triageStatements(built);
    const startQuery = statements.find((statement) => statement.Action === 'logs:StartQuery');
    const functions = new Map([
      ...built.api.routeFunctions,
      [fallbackRoute.id, built.api.fallbackFunction],
      ...built.api.realtime.functions,
    ]);
    expect(built.api.realtime.functions.size).toBe(realtimeGateway.length);
    // Every function's log group is named under the stack's prefix, in the template as a plain name.
    const prefix = '/bulwark/Bulwark-prod-Api/';
    for (const [id, fn] of functions) {
      const group = templateOf(fn.logGroup).toJSON().Resources[logicalIdInStack(fn.logGroup)] as Json & {
        Properties: Json;
      };
      expect(group.Properties.LogGroupName, id).toBe(`${prefix}${id}`);
      // Prod retains it on update and delete, but not when its creation rolls back: a group kept from a
      // rolled-back deploy would block the retry with its fixed name.
      expect(group.DeletionPolicy, id).toBe('RetainExceptOnCreate');
      expect(group.UpdateReplacePolicy, id).toBe('Retain');
    }
    // The function is told the same groups it may query, as plain text: the prefix and the function ids.
    const environment = environmentOf(mergedTemplateOf(built.api), built.api, 'summarize-errors');
    expect(environment.TRIAGE_LOG_GROUP_PREFIX).toBe(prefix);
    expect(environment.TRIAGE_LOG_GROUPS).toBe([...functions.keys()].join(','));
    expect(startQuery?.Resource).toBe(`arn:aws:logs:eu-west-1:123456789012:log-group:${prefix}*`);
    const bedrock = statements.filter((statement) =>
      [statement.Action].flat().some((a) => a.startsWith('bedrock:')),
    );
    expect(bedrock).toHaveLength(1);
    expect(bedrock[0]?.Action).toBe('bedrock:InvokeModel');
    const modelResources = JSON.stringify(bedrock[0]?.Resource);
    expect(modelResources).toContain('inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(modelResources).toContain(':bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(modelResources).not.toMatch(/foundation-model\/\*|inference-profile\/\*/);
  });

  it('refuses at synth a function id CloudWatch Logs would refuse in a log group name', () => {
    const built = withModel('');
    expect(() => functionLogGroupNameOf(built.api, 'orders:create')).toThrow(
      /Function id "orders:create" cannot name its log group \/bulwark\/Bulwark-prod-Api\/orders:create/,
    );
    expect(functionLogGroupNameOf(built.api, 'orders_create.v2')).toBe(
      '/bulwark/Bulwark-prod-Api/orders_create.v2',
    );
  });

  it('refuses at synth more function log groups than the runtime reads or Lambda’s environment holds', () => {
    const built = withModel('');
    const triage = built.api.routeFunctions.get('summarize-errors');
    if (triage === undefined) throw new Error('no summarize-errors function');
    const ids = (count: number, length: number) =>
      Array.from({ length: count }, (_, index) => `${index}`.padStart(length, 'r'));
    const prefix = '/bulwark/Bulwark-prod-Api/';
    expect(() => grantLogTriage(triage, { prefix, functionIds: ids(101, 8) }, '')).toThrow(
      /would read 101 function log groups .*reads at most 100 in 2000 characters \(Lambda's environment holds 4 KB/,
    );
    expect(() => grantLogTriage(triage, { prefix, functionIds: ids(80, 30) }, '')).toThrow(
      /\(2479 characters of TRIAGE_LOG_GROUPS\)/,
    );
    expect(() => grantLogTriage(triage, { prefix, functionIds: ids(100, 19) }, '')).not.toThrow();
  });

  it('grants no model without TRIAGE_MODEL_ID, and a base model id only in its region', () => {
    expect(triageStatements(withModel('')).flatMap((statement) => [statement.Action].flat())).not.toContain(
      'bedrock:InvokeModel',
    );
    const base = triageStatements(withModel('anthropic.claude-3-haiku-20240307-v1:0')).find(
      (statement) => statement.Action === 'bedrock:InvokeModel',
    );
    expect(JSON.stringify(base?.Resource)).toContain(
      ':bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
    );
  });
});
