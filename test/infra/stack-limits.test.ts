/**
 * CloudFormation refuses a stack of more than 500 resources (CDK refuses the synth first), and a template of
 * more than 200 parameters or outputs. BulwarkApi keeps every route's function with its release in nested
 * stacks picked by a hash of the route id (ADR 0018): the parent grows by a method (and a resource per new
 * path) per route, a nested stack by one function's resources.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulwarkRouteModules } from '../../infra/bulwark-route-modules.js';
import { type StageConfig, stageConfig } from '../../infra/config.js';
import {
  BulwarkApi,
  defaultFunctionStacks,
  functionStackOf,
  maxFunctionsPerStack,
} from '../../infra/constructs/bulwark-api.js';
import { secretReadersOf } from '../../infra/constructs/secret-readers.js';
import { addNagPacks } from '../../infra/nag/nag-packs.js';
import { ApiStack } from '../../infra/stacks/api-stack.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { gatewayFunctionIds, realtimeGateway } from '../../shared/routes/realtime-gateway.js';
import {
  authenticatedEntry,
  defineRoutes,
  firstAdminFunction,
  type RouteTable,
} from '../../shared/routes/route-definition.js';
import { routes as bulwarkRoutes, fallbackRoute } from '../../shared/routes/route-table.js';
import { logicalIdOf, parameterValueOf, stackTemplatesOf, templateOf } from '../support/stack-templates.js';

type Json = Record<string, unknown>;

/** CloudFormation's quotas per template. */
const maxResources = 500;
const maxParametersOrOutputs = 200;

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Json;
};

/** Every function's entry is one stub module: bundling is skipped, NodejsFunction only checks it exists. */
let stubRoot: string;
beforeAll(() => {
  stubRoot = mkdtempSync(join(tmpdir(), 'bulwark-limits-'));
  writeFileSync(join(stubRoot, 'package-lock.json'), '{}');
  mkdirSync(join(stubRoot, 'stub'), { recursive: true });
  writeFileSync(
    join(stubRoot, 'stub', 'handler.ts'),
    'export const handler = async () => ({ statusCode: 204 });\n',
  );
});
afterAll(() => rmSync(stubRoot, { recursive: true, force: true }));

/** `count` routes of a team, each on a path of its own (a method, a resource and ANY each in the parent). */
const teamRoutes = (count: number) =>
  Array.from({ length: count }, (_, index) =>
    authenticatedEntry({
      id: `team-route-${index}`,
      method: 'GET',
      path: `/api/v1/team/items-${index}`,
      roles: ['user'],
      rateLimit: { policy: 'default' },
      description: `Team route ${index}`,
    }),
  );

/** Reservations small enough for any table: these tests are about the templates, not the quota. */
const withSmallReservations = (config: StageConfig): StageConfig => ({
  ...config,
  capacity: {
    ...config.capacity,
    accountConcurrency: 100_000,
    classes: Object.fromEntries(
      Object.entries(config.capacity.classes).map(([name, settings]) => [
        name,
        { ...settings, reservedConcurrency: 1 },
      ]),
    ) as StageConfig['capacity']['classes'],
  },
});

const newApp = () =>
  new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false } });

/** BulwarkApi over `routes` in a stack of its own, with the data stack and the nag packs of infra/app.ts. */
const synthesize = (routes: RouteTable, functionStacks?: number) => {
  const app = newApp();
  const config = withSmallReservations(stageConfig('prod'));
  const env = { account: '123456789012', region: 'eu-west-1' };
  // The data stack lets this table's functions read the secrets (a team passes the same).
  const data = new DataStack(app, 'Limits-Data', {
    config,
    env,
    secretReaders: secretReadersOf(routes, realtimeGateway),
  });
  const stack = new Stack(app, 'Limits-Api', { env });
  const api = new BulwarkApi(stack, 'Api', {
    config,
    tables: data.tables,
    secrets: data.secrets,
    routes,
    modules: bulwarkRouteModules,
    // Bulwark's table holds the realtime routes, which need the gateway (its functions in this stack).
    realtime: { gateway: realtimeGateway },
    projectRoot: stubRoot,
    entryOf: () => 'stub/handler.ts',
    ...(functionStacks === undefined ? {} : { functionStacks }),
  });
  addNagPacks(app);
  return { app, stack, api };
};

interface Size {
  readonly path: string;
  readonly resources: number;
  readonly parameters: number;
  readonly outputs: number;
}

const sizeOf = (path: string, template: Template): Size => {
  const json = template.toJSON() as Json;
  const count = (section: string): number => Object.keys((json[section] ?? {}) as Json).length;
  return { path, resources: count('Resources'), parameters: count('Parameters'), outputs: count('Outputs') };
};

const sizesOf = (stack: Stack): Size[] =>
  stackTemplatesOf(stack).map(({ stack: each, template }) => sizeOf(each.node.path, template));

describe('a table of 80 routes', () => {
  const table = defineRoutes([...bulwarkRoutes, ...teamRoutes(80 - bulwarkRoutes.length)]);
  let built: ReturnType<typeof synthesize>;
  let sizes: Size[];

  // Three nag packs over 82 functions on a shared 2-core machine: well past the default hook timeout.
  beforeAll(() => {
    built = synthesize(table);
    sizes = sizesOf(built.stack);
  }, 240_000);

  it('synthesizes, cdk-nag clean, with every stack under CloudFormation’s quotas', () => {
    expect(table.length).toBe(80);
    expect(Annotations.fromStack(built.stack).findError('*', Match.anyValue())).toEqual([]);
    for (const size of sizes) {
      expect(size.resources, size.path).toBeLessThan(maxResources);
      expect(size.parameters, size.path).toBeLessThan(maxParametersOrOutputs);
      expect(size.outputs, size.path).toBeLessThan(maxParametersOrOutputs);
    }
    // The parent holds the API, one method per route and one resource and ANY per path: far from the quota.
    const [parent] = sizes;
    expect(parent?.resources).toBeLessThan(400);
  });

  it('spreads the 82 functions over the nested stacks, each far below the quotas', () => {
    const nested = sizes.slice(1);
    expect(nested.length).toBe(defaultFunctionStacks);
    for (const size of nested) {
      expect(size.resources, size.path).toBeLessThan(maxResources / 2);
      expect(size.outputs, size.path).toBeLessThan(maxParametersOrOutputs / 2);
    }
  });

  it('puts each function with its role, log group, alias, deployment group and alarms in the stack its id hashes to', () => {
    for (const [routeId, fn] of built.api.routeFunctions) {
      const stack = Stack.of(fn);
      expect(stack.nestedStackParent, routeId).toBe(built.stack);
      expect(stack, routeId).toBe(
        built.api.functionStacks.get(functionStackOf(routeId, defaultFunctionStacks)),
      );
      const release = built.api.releases.get(routeId);
      for (const part of [
        fn.role,
        fn.logGroup,
        release?.alias,
        release?.deploymentGroup,
        release?.errorsAlarm,
      ]) {
        expect(part && Stack.of(part), routeId).toBe(stack);
      }
      expect(Stack.of(built.api.monitoring.durationAlarms.get(routeId) as never), routeId).toBe(stack);
    }
  });
});

describe("Bulwark's own stack", () => {
  let api: ApiStack;
  let sizes: Size[];

  beforeAll(() => {
    const app = newApp();
    const config = stageConfig('prod');
    const env = { account: '123456789012', region: 'eu-west-1' };
    const data = new DataStack(app, 'Bulwark-prod-Data', { config, env });
    const root = mkdtempSync(join(stubRoot, 'bulwark-'));
    writeFileSync(join(root, 'package-lock.json'), '{}');
    for (const id of [
      ...bulwarkRoutes.map((route) => route.id),
      fallbackRoute.id,
      firstAdminFunction.id,
      ...gatewayFunctionIds(),
    ]) {
      mkdirSync(join(root, 'functions', id), { recursive: true });
      writeFileSync(join(root, 'functions', id, 'handler.ts'), 'export const handler = async () => ({});\n');
    }
    api = new ApiStack(app, 'Bulwark-prod-Api', {
      config,
      env,
      tables: data.tables,
      secrets: data.secrets,
      signingKeyRotation: data.signingKeyRotation,
      projectRoot: root,
    });
    addNagPacks(app);
    sizes = sizesOf(api);
  }, 240_000);

  it('keeps the parent well below 500 resources: the per-route resources live in the nested stacks', () => {
    const [parent, ...nested] = sizes;
    // 167 with Bulwark's 20 routes when this was written (472 before the nested stacks); 228 with the 8
    // realtime routes and the WebSocket API (its functions are nested like the routes').
    expect(parent?.resources).toBeLessThanOrEqual(250);
    expect(nested.length).toBeGreaterThan(1);
    for (const size of nested) expect(size.resources, size.path).toBeLessThan(maxResources / 4);
  });

  it('keeps the REST API, the CodeDeploy application and its role in the parent under their kept logical ids', () => {
    expect(api.getLogicalId(api.api.node.defaultChild as never)).toBe('RestApi0C43BF4B');
    expect(logicalIdOf(api.canaryReleases.application)).toBe('Deployments7DB91225');
    expect(Object.keys(templateOf(api).findResources('AWS::IAM::Role'))).toContain('DeploymentRoleC7BBCF2C');
    for (const construct of [api.api, api.canaryReleases.application, api.alarmTopic.topic, api.webAcl]) {
      expect(Stack.of(construct)).toBe(api);
    }
  });
});

describe("Bulwark's nested stacks, read on their own", () => {
  it('feed each function’s alarms the parent’s topic, and its deployment group the parent’s application and role', () => {
    const app = newApp();
    const config = stageConfig('dev');
    const env = { account: '123456789012', region: 'eu-west-1' };
    const data = new DataStack(app, 'Wiring-Data', { config, env });
    const stack = new Stack(app, 'Wiring-Api', { env });
    const api = new BulwarkApi(stack, 'Api', {
      config,
      tables: data.tables,
      secrets: data.secrets,
      routes: bulwarkRoutes,
      modules: bulwarkRouteModules,
      realtime: { gateway: realtimeGateway },
      projectRoot: stubRoot,
      entryOf: () => 'stub/handler.ts',
    });
    const release = api.releases.get('login');
    if (release === undefined) throw new Error('no release of login');
    const nested = Stack.of(release) as NestedStack;
    expect(nested.nestedStackParent).toBe(stack);
    const resources = (templateOf(release).toJSON() as Json).Resources as Record<
      string,
      { Properties: Json }
    >;
    const fedBy = (value: unknown): unknown => {
      const ref = (value as { Ref?: unknown }).Ref;
      if (typeof ref !== 'string') throw new Error(`not a parameter: ${JSON.stringify(value)}`);
      return parameterValueOf(nested, ref);
    };
    const alarm = resources[logicalIdOf(release.errorsAlarm)]?.Properties as Json;
    const [action] = alarm.AlarmActions as unknown[];
    expect(fedBy(action)).toEqual({ Ref: logicalIdOf(api.alarmTopic.topic) });
    const group = resources[logicalIdOf(release.deploymentGroup)]?.Properties as Json;
    expect(fedBy(group.ApplicationName)).toEqual({ Ref: logicalIdOf(api.canaryReleases.application) });
    expect(fedBy(group.ServiceRoleArn)).toEqual({ 'Fn::GetAtt': ['DeploymentRoleC7BBCF2C', 'Arn'] });
  });
});

describe('the grouping of functions into nested stacks', () => {
  it('depends on the route id alone: adding routes moves no function of the table before', () => {
    const before = bulwarkRoutes.map((route) => functionStackOf(route.id, defaultFunctionStacks));
    const grown = defineRoutes([...teamRoutes(10), ...bulwarkRoutes]);
    const after = bulwarkRoutes.map((route) =>
      functionStackOf(grown.find((each) => each.id === route.id)?.id ?? '', defaultFunctionStacks),
    );
    expect(after).toEqual(before);
  });

  it(`refuses at synth a nested stack that would hold more than ${maxFunctionsPerStack} functions`, () => {
    expect(() => synthesize(defineRoutes([...bulwarkRoutes, ...teamRoutes(40)]), 1)).toThrow(
      // Every route of both tables, the fallback, the first admin's function and the realtime gateway's.
      new RegExp(
        `nested stack Functions0 would hold ${bulwarkRoutes.length + 40 + 2 + realtimeGateway.length} functions .*raise functionStacks`,
      ),
    );
  });
});
