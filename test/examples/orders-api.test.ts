/**
 * The example app uses Bulwark only through its package exports (`bulwark`, `bulwark/cdk`,
 * `bulwark/local`) and puts one route of its own behind it, with a body, a role and a rate limit. This
 * synthesizes its CDK app and serves it locally, as a team would.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerModuleOf } from '../../examples/orders-api/entries.js';
import { ordersApp } from '../../examples/orders-api/infra/orders-app.js';
import {
  compressedDocumentFile,
  documentFile,
  ordersOpenApiDocument,
} from '../../examples/orders-api/openapi-document.js';
import { appRoutes } from '../../examples/orders-api/routes.js';
import { stageConfig } from '../../infra/config.js';
import { decompressDocument } from '../../shared/openapi/compressed-document.js';
import { realtimeGateway } from '../../shared/routes/realtime-gateway.js';
import { realtimeRoutes } from '../../shared/routes/realtime-routes.js';
import { coreRoutes as bulwarkRoutes } from '../../shared/routes/route-table.js';
import { type LocalStack, startLocalStack } from '../support/local-stack-process.js';
import { mergedTemplateOf } from '../support/stack-templates.js';

const exampleRoot = join(process.cwd(), 'examples', 'orders-api');

const exampleFiles = (folder: string): string[] =>
  readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return exampleFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });

describe('the orders example uses Bulwark as a dependency', () => {
  it('imports Bulwark only through its package exports, never its files', () => {
    const deepImports = exampleFiles(exampleRoot).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)]
        .map((match) => match[1] ?? '')
        .filter((specifier) =>
          /\.\.\/\.\.\/\.\.\/|shared\/|infra\/|^bulwark\/(?!cdk$|local$|openapi$)/.test(specifier),
        )
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(deepImports).toEqual([]);
  });

  it('serves Bulwark’s routes from the Bulwark package and its own, and its fallback, from the app', () => {
    expect(handlerModuleOf('login')).toBe(join(process.cwd(), 'functions', 'login', 'handler.ts'));
    expect(handlerModuleOf('create-order')).toBe(
      join(exampleRoot, 'functions', 'create-order', 'handler.ts'),
    );
    expect(handlerModuleOf('route-fallback')).toBe(
      join(exampleRoot, 'functions', 'route-fallback', 'handler.ts'),
    );
    expect(handlerModuleOf('openapi')).toBe(join(exampleRoot, 'functions', 'openapi', 'handler.ts'));
    expect(appRoutes.length).toBe(bulwarkRoutes.length + realtimeRoutes.length + 1);
    for (const fn of realtimeGateway) {
      expect(handlerModuleOf(fn.id)).toBe(join(process.cwd(), 'functions', fn.id, 'handler.ts'));
    }
  });
});

describe('the orders example on AWS (synthesized)', () => {
  let template: Template;
  let api: ReturnType<typeof ordersApp>['api'];

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false } });
    const built = ordersApp(app, stageConfig('dev'), { projectRoot: process.cwd() });
    api = built.api;
    template = mergedTemplateOf(built.stack);
    // Two stacks with every nag pack: generous, the machines are shared (as the other synth tests).
  }, 240_000);

  it('gives the app’s route a method, a function and a canary release like Bulwark’s own', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'orders' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ResourceId: { Ref: Match.stringLikeRegexp('orders') },
    });
    expect(api.routeFunctions.get('create-order')).toBeDefined();
    expect(api.releases.get('create-order')).toBeDefined();
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST' });
    for (const route of bulwarkRoutes) expect(api.routeFunctions.get(route.id), route.id).toBeDefined();
  });

  it('grants the app’s function only what authentication and its limiter need', () => {
    const fn = api.routeFunctions.get('create-order');
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('CreateOrderRole') }] },
      }),
    );
    const statements = JSON.stringify(policies.map((policy) => policy.Properties.PolicyDocument.Statement));
    expect(fn).toBeDefined();
    expect(statements).toContain('rl#*');
    expect(statements).toContain('revoked#*');
    expect(statements).not.toContain('dynamodb:Scan');
    expect(statements).not.toContain('login#*');
  });

  it('gets the realtime gateway by configuration: a WebSocket API whose functions come from Bulwark', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    expect(api.realtime?.functions.get('realtime-connect')).toBeDefined();
    expect(api.routeFunctions.get('create-datasource-token')).toBeDefined();
  });

  it('gets log triage by configuration: summarize-errors may query every function’s log, the app’s included', () => {
    expect(api.routeFunctions.get('summarize-errors')).toBeDefined();
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('SummarizeErrors') }] },
      }),
    );
    const statements = policies.flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    );
    const startQuery = statements.find((statement) => statement.Action === 'logs:StartQuery');
    // The log groups of every route function, the fallback and the realtime gateway's functions, named
    // under the stack's prefix (ADR 0019): create-order's among them.
    expect(JSON.stringify(startQuery?.Resource)).toContain(':log-group:/bulwark/Orders-dev-Api/*');
    expect(api.realtime?.functions.size).toBe(4);
    const environment = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { TRIAGE_LOG_GROUP_PREFIX: '/bulwark/Orders-dev-Api/' } } },
      }),
    ).map((fn) => fn.Properties.Environment.Variables.TRIAGE_LOG_GROUPS as string);
    expect(environment).toHaveLength(1);
    const groups = environment[0]?.split(',') ?? [];
    expect(groups).toContain('create-order');
    expect(groups).toHaveLength(api.routeFunctions.size + 1 + (api.realtime?.functions.size ?? 0));
  });

  it('puts the app behind the WAF and watches its function with Bulwark’s alarms', () => {
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    const alarms = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toContain('create-order');
  });
});

describe('the orders example’s API contract', () => {
  it('is its own OpenAPI document, Bulwark’s routes and its own, regenerated by examples/orders-api/openapi.ts', async () => {
    const document = await ordersOpenApiDocument();
    expect(readFileSync(documentFile, 'utf8'), 'run `npx tsx examples/orders-api/openapi.ts`').toBe(
      `${JSON.stringify(document, null, 2)}\n`,
    );
    const base64 = /'([A-Za-z0-9+/=]+)'/.exec(readFileSync(compressedDocumentFile, 'utf8'))?.[1] ?? '';
    expect(decompressDocument(base64)).toEqual(document);
    expect(document.paths?.['/api/v1/orders']?.post?.responses?.['201']).toBeDefined();
    expect(Object.keys(document.paths ?? {})).toHaveLength(
      new Set(appRoutes.map((route) => route.path)).size,
    );
  });
});

describe('the orders example on this machine', () => {
  let stack: LocalStack;
  let token: string;

  const order = (headers: Record<string, string>, body: unknown) =>
    fetch(`${stack.baseUrl}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    // Every answer it gives is checked against its own document (test/support/contract-check.setup.ts).
    stack = await startLocalStack(
      { PASSWORD_BCRYPT_COST: '10' },
      'examples/orders-api/local.ts',
      documentFile,
    );
    const user = { username: 'orders.buyer', password: 'correct horse battery staple', roles: ['user'] };
    const created = await fetch(`${stack.baseUrl}/api/v1/user`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': stack.apiKey },
      body: JSON.stringify(user),
    });
    expect(created.status).toBe(201);
    const login = await fetch(`${stack.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: user.password }),
    });
    token = ((await login.json()) as { access_token: string }).access_token;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('serves its own document at GET /openapi.json', async () => {
    const answer = await fetch(`${stack.baseUrl}/openapi.json`);
    expect(answer.status).toBe(200);
    const served = (await answer.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(served.paths)).toContain('/api/v1/orders');
  });

  it('places an order for a signed-in user, after Bulwark’s checks', async () => {
    const answer = await order({ authorization: `Bearer ${token}` }, { sku: 'BOOK-42', quantity: 2 });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('strict-transport-security')).toContain('max-age=');
    expect(answer.headers.get('ratelimit-policy')).toBe('"tb-5-per-60s";q=5;w=60');
    expect(await answer.json()).toMatchObject({ sku: 'BOOK-42', quantity: 2 });
  });

  it('refuses a caller without a credential (401), without the role (403) and a bad body (422)', async () => {
    expect((await order({}, { sku: 'BOOK-42', quantity: 1 })).status).toBe(401);
    // The admin API key has only the admin role.
    expect((await order({ 'x-api-key': stack.apiKey }, { sku: 'BOOK-42', quantity: 1 })).status).toBe(403);
    const invalid = await order({ authorization: `Bearer ${token}` }, { sku: 'x', quantity: 1, price: 0 });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('content-type')).toBe('application/problem+json');
  });

  it('limits the route with its own bucket: 429 with Retry-After past it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push(
        (await order({ authorization: `Bearer ${token}` }, { sku: 'PEN-1', quantity: 1 })).status,
      );
    expect(statuses).toContain(429);
    const refused = await order({ authorization: `Bearer ${token}` }, { sku: 'PEN-1', quantity: 1 });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('serves the realtime gateway too, next to the app', async () => {
    expect(stack.realtimeUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/local$/);
  });

  it('answers a preflight for the app’s own path and 405 for another method on it', async () => {
    const preflight = await fetch(`${stack.baseUrl}/api/v1/orders`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('allow')).toBe('POST, OPTIONS');
    expect((await fetch(`${stack.baseUrl}/api/v1/orders`)).status).toBe(405);
  });
});
