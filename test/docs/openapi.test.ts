/**
 * The API contract: docs/openapi.json is what the generator makes of the route table and the route
 * modules (so it is never edited by hand and never stale), passes Redocly's lint with the committed
 * ruleset, is what GET /openapi.json serves, and changed in no commit in a way that breaks clients
 * without saying so.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployedFunctionIds } from '../../bench/build-function-bundles.js';
import { route as openApiRoute } from '../../functions/openapi/route.js';
import { gatewayProblems } from '../../infra/constructs/problem-gateway-responses.js';
import {
  breakingChanges,
  breakingChangeTrailer,
  unacknowledgedBreakingChanges,
} from '../../scripts/openapi-breaking-changes.js';
import {
  bulwarkOpenApiDocument,
  compressedDocumentFile,
  documentText,
  openApiDocumentFile,
  repositoryRoot,
  routeModuleFile,
} from '../../scripts/openapi-document.js';
import type { RouteContract } from '../../shared/chain/route-contract.js';
import type { RouteModule } from '../../shared/chain/route-module.js';
import { authStrategies } from '../../shared/config/runtime-settings.js';
import { edgeAnswers } from '../../shared/errors/edge-answers.js';
import { type ProblemCode, problemTypes, problemTypeUri } from '../../shared/errors/problem-types.js';
import { decompressDocument } from '../../shared/openapi/compressed-document.js';
import { documentForAuth } from '../../shared/openapi/document-for-auth.js';
import { type OpenApiDocument, openApiDocumentOf } from '../../shared/openapi/openapi-document.js';
import { problemsOf } from '../../shared/openapi/route-problems.js';
import { routes } from '../../shared/routes/route-table.js';
import { testRuntime } from '../support/test-runtime.js';

const checkedIn = readFileSync(openApiDocumentFile, 'utf8');
const document = JSON.parse(checkedIn) as OpenApiDocument;
let generated: OpenApiDocument;
let modules: RouteModule[];
const contracts = new Map<string, RouteContract>();

beforeAll(async () => {
  generated = await bulwarkOpenApiDocument();
  modules = await Promise.all(
    routes.map(async (route) => ((await import(routeModuleFile(route.id))) as { route: RouteModule }).route),
  );
  for (const module of modules) if (module.contract !== undefined) contracts.set(module.id, module.contract);
});

type Operation = NonNullable<NonNullable<OpenApiDocument['paths']>[string]['get']>;
const operationOf = (method: string, path: string): Operation => {
  const operation = document.paths?.[path]?.[method.toLowerCase() as 'get'];
  if (operation === undefined) throw new Error(`no operation ${method} ${path}`);
  return operation;
};
const resolve = <T>(value: T | { $ref: string }): T => {
  if (typeof value !== 'object' || value === null || !('$ref' in value)) return value as T;
  let node: unknown = document;
  for (const segment of value.$ref.slice(2).split('/')) node = (node as Record<string, unknown>)[segment];
  return node as T;
};

describe('docs/openapi.json', () => {
  it('is what `npm run docs:fix` generates from the route table and the route modules', () => {
    expect(checkedIn, 'docs/openapi.json is stale: run `npm run docs:fix`').toBe(documentText(generated));
  });

  it('is what functions/openapi/ bundles, compressed', () => {
    const source = readFileSync(compressedDocumentFile, 'utf8');
    const base64 = /'([A-Za-z0-9+/=]+)'/.exec(source)?.[1] ?? '';
    expect(decompressDocument(base64), 'the compressed copy is stale: run `npm run docs:fix`').toEqual(
      document,
    );
  });

  it('passes `redocly lint` with the committed ruleset: no error, no warning', () => {
    const result = spawnSync(
      join(repositoryRoot, 'node_modules', '.bin', 'redocly'),
      ['lint', '--config', 'redocly.yaml', '--format', 'stylish', 'docs/openapi.json'],
      {
        cwd: repositoryRoot,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).not.toMatch(/warning/i);
  }, 60_000);

  it('switches off or relaxes no lint rule without a written reason on the line above', () => {
    const lines = readFileSync(join(repositoryRoot, 'redocly.yaml'), 'utf8').split('\n');
    const relaxed = lines.flatMap((line, index) =>
      /^\s+[a-z0-9-]+\/?[a-z0-9-]*:\s*(off|warn)\s*$/.test(line) &&
      !/^\s*#\s*\S/.test(lines[index - 1] ?? '') &&
      !/^\s+[a-z0-9-]+:\s*(off|warn)\s*$/.test(lines[index - 1] ?? '')
        ? [line.trim()]
        : [],
    );
    expect(relaxed).toEqual([]);
    expect(lines.join('\n')).toMatch(/recommended-strict/);
  });

  it('has one operation per route, named after its id', () => {
    for (const route of routes) {
      const operation = operationOf(route.method, route.path);
      expect(operation['x-bulwark-route'], route.path).toBe(route.id);
      expect(operation.summary).toBe(route.description);
    }
    const operations = Object.values(document.paths ?? {}).flatMap((item) =>
      (['get', 'put', 'post', 'patch', 'delete'] as const).filter((method) => item[method] !== undefined),
    );
    expect(operations).toHaveLength(routes.length);
  });

  it('gives every problem a route can answer its status, its stable type URI and an example of it', () => {
    for (const route of routes) {
      const operation = operationOf(route.method, route.path);
      const codes = Object.entries(operation.responses ?? {}).flatMap(([status, response]) => {
        const media = resolve(
          response as { content?: Record<string, { examples?: Record<string, unknown> }> },
        ).content?.['application/problem+json'];
        if (media === undefined) return [];
        return Object.entries(media.examples ?? {}).map(([code, example]) => {
          const value = resolve(example as { value: { type: string; status?: number } }).value;
          expect(value.type, `${route.id} ${status}`).toBe(
            problemTypeUri(code as ProblemCode | 'gateway-4xx' | 'gateway-5xx'),
          );
          if (/^\d+$/.test(status)) expect(value.status, `${route.id} ${code}`).toBe(Number(status));
          else expect(value.status).toBeUndefined();
          return code;
        });
      });
      const contract = contracts.get(route.id);
      if (contract === undefined) throw new Error(`no contract for ${route.id}`);
      expect(codes.filter((code) => code in problemTypes).sort(), route.id).toEqual(
        problemsOf(route, contract).sort(),
      );
      expect(codes, route.id).toEqual(expect.arrayContaining(['gateway-4xx', 'gateway-5xx']));
    }
  });

  it('requires a credential exactly where the chain does, and only the kinds it accepts', () => {
    for (const route of routes) {
      const security = operationOf(route.method, route.path).security;
      if (route.auth === 'public') expect(security, route.id).toEqual([]);
      else
        expect(security, route.id).toEqual(
          route.id === 'logout' ? [{ accessToken: [] }] : [{ accessToken: [] }, { apiKey: [] }],
        );
    }
    expect(document.components?.securitySchemes?.apiKey).toMatchObject({ in: 'header', name: 'x-api-key' });
  });

  it('describes each stage’s API_AUTH_STRATEGY and API_AUTH_HEADER exactly as generating for them would', () => {
    for (const strategy of authStrategies) {
      const expected = openApiDocumentOf({
        info: document.info,
        routes,
        modules,
        auth: { strategy, apiKeyHeader: 'x-team-key' },
      });
      expect(documentForAuth(document, { strategy, header: 'x-team-key' }), strategy).toEqual(expected);
    }
  });

  it('takes the edge answers’ texts from the same place as the CDK gateway responses', () => {
    for (const [code, answer] of Object.entries(edgeAnswers)) {
      const deployed = gatewayProblems.find((problem) => problem.code === code);
      expect(deployed?.detail, code).toBe(answer.detail);
    }
  });
});

describe('GET /openapi.json', () => {
  it('serves the checked-in document, public and rate limited, with the usual headers', async () => {
    const handler = await openApiRoute.build(testRuntime());
    const response = await handler(
      {
        httpMethod: 'GET',
        path: '/openapi.json',
        resource: '/openapi.json',
        headers: { host: 'localhost' },
        multiValueHeaders: {},
        body: null,
        isBase64Encoded: false,
        pathParameters: null,
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        requestContext: { identity: { sourceIp: '203.0.113.9' } } as never,
      },
      {} as never,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Content-Type']).toBe('application/json');
    expect(response.headers?.['x-request-id']).toBeDefined();
    expect(response.headers?.['Cache-Control']).toBe('no-store');
    expect(response.headers?.RateLimit).toMatch(/^"fw-\d+-per-\d+s";r=\d+;t=\d+$/);
    expect(JSON.parse(response.body)).toEqual(
      documentForAuth(document, { strategy: 'jwt_or_api_key', header: 'x-api-key' }),
    );
  });

  it('is one of the functions the stack deploys', () => {
    expect(deployedFunctionIds()).toContain('openapi');
  });
});

describe('breaking changes to docs/openapi.json', () => {
  const mutated = (change: (copy: OpenApiDocument) => void): OpenApiDocument => {
    const copy = structuredClone(document);
    change(copy);
    return copy;
  };

  it('reports a removed route, a removed status, a removed answer field and a narrowed request', () => {
    expect(breakingChanges(document, document)).toEqual([]);
    expect(
      breakingChanges(
        document,
        mutated((copy) => delete copy.paths?.['/health']),
      ),
    ).toEqual(['remove /paths/~1health/get']);
    expect(
      breakingChanges(
        document,
        mutated((copy) => delete copy.paths?.['/api/v1/user']?.post?.responses?.['201']),
      ),
    ).toEqual(['remove /paths/~1api~1v1~1user/post/responses/201']);
    expect(
      breakingChanges(
        document,
        mutated((copy) => {
          const pair = copy.components?.schemas?.TokenPair as { properties: Record<string, unknown> };
          delete pair.properties.expires_in;
        }),
      ).some((change) => change.includes('/properties/expires_in')),
    ).toBe(true);
    expect(
      breakingChanges(
        document,
        mutated((copy) => {
          const body = copy.paths?.['/auth/login']?.post?.requestBody as {
            content: { 'application/json': { schema: { properties: { username: { maxLength: number } } } } };
          };
          body.content['application/json'].schema.properties.username.maxLength = 10;
        }),
      ),
    ).toEqual([
      'replace /paths/~1auth~1login/post/requestBody/content/application~1json/schema/properties/username/maxLength',
    ]);
  });

  it('calls adding a route or an optional answer field, or rewording, not breaking', () => {
    expect(
      breakingChanges(
        document,
        mutated((copy) => {
          if (copy.paths !== undefined) copy.paths['/health-copy'] = copy.paths['/health'] ?? {};
          const pair = copy.components?.schemas?.TokenPair as { properties: Record<string, unknown> };
          pair.properties.scope = { type: 'string' };
          if (copy.paths?.['/health']?.get !== undefined) copy.paths['/health'].get.summary = 'Reworded';
        }),
      ),
    ).toEqual([]);
  });

  it(`is acknowledged with \`${breakingChangeTrailer} <why>\` in every commit that made one`, () => {
    const git = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: repositoryRoot });
    if (git.status !== 0) return; // not a clone: no history to check
    const unacknowledged = unacknowledgedBreakingChanges(repositoryRoot, 'docs/openapi.json');
    expect(
      unacknowledged.map(
        (entry) => `${entry.commit.slice(0, 12)} ${entry.subject}: ${entry.changes.join(', ')}`,
      ),
    ).toEqual([]);
  }, 60_000);
});
