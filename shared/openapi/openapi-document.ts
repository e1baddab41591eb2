import * as z from 'zod';
import {
  createDocument,
  type oas31,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import type { RouteContract, SuccessStatus } from '../chain/route-contract.js';
import type { RouteModule } from '../chain/route-module.js';
import type { AuthStrategy } from '../config/runtime-config.js';
import { runtimeSettings } from '../config/runtime-settings.js';
import { defaultOf } from '../config/setting-parser.js';
import {
  type GatewayCatchAllCode,
  type ProblemCode,
  problemTypes,
  problemTypeUri,
} from '../errors/problem-types.js';
import type { RouteDefinition, RouteTable } from '../routes/route-definition.js';
import { gatewayCatchAllBody, problemBody } from './problem-bodies.js';
import { gatewayCatchAllExamples, type ProblemExample, problemExamplesOf } from './problem-examples.js';
import { problemsOf } from './route-problems.js';
import { type SecurityRequirement, securityOf, securitySchemesOf } from './security.js';

export type OpenApiDocument = oas31.OpenAPIObject;

export interface OpenApiOptions {
  readonly info: oas31.InfoObject;
  /** Every route of the table becomes an operation; the fallback answers no route of its own. */
  readonly routes: RouteTable;
  /** The module of each route (its contract: body, answers, own problems). A route without one is refused. */
  readonly modules: readonly RouteModule[];
  /**
   * API_AUTH_STRATEGY and API_AUTH_HEADER the document describes; their defaults when absent. The served
   * copy follows the stage's own values (documentForAuth).
   */
  readonly auth?: { readonly strategy: AuthStrategy; readonly apiKeyHeader: string };
}

const header = {
  requestId: z.string().meta({
    header: { id: 'RequestId' },
    description:
      "The request's id: the caller's own when it matches `^[A-Za-z0-9._-]{1,128}$`, else a generated one. In every log line and problem body of the request (WAF's own static answers have none).",
  }),
  rateLimitPolicy: z
    .string()
    .optional()
    .meta({
      header: { id: 'RateLimitPolicy' },
      description:
        'The policy that admitted the request (draft-ietf-httpapi-ratelimit-headers-10): `"<name>";q=<quota>;w=<window seconds>`',
      example: '"fw-100-per-60s";q=100;w=60',
    }),
  rateLimit: z
    .string()
    .optional()
    .meta({
      header: { id: 'RateLimit' },
      description: 'What remains of the quota: `"<name>";r=<remaining>;t=<seconds until reset>`',
      example: '"fw-100-per-60s";r=42;t=17',
    }),
  retryAfter: z
    .string()
    .regex(/^[1-9][0-9]*$/)
    .meta({ header: { id: 'RetryAfter' }, description: 'Whole seconds to wait before retrying' }),
  wwwAuthenticate: z.string().meta({
    description:
      'RFC 6750 challenge: `Bearer realm="bulwark"`, with `error="invalid_token"` or `error="insufficient_scope"`',
  }),
};

/** Headers by status: what the chain puts on every answer, and what a rejection adds. */
const headersOf = (status: number): z.ZodObject => {
  const requestId = { 'x-request-id': header.requestId };
  const rateLimit = { 'RateLimit-Policy': header.rateLimitPolicy, RateLimit: header.rateLimit };
  if (status < 300) return z.object({ ...requestId, ...rateLimit });
  if (status === 401) return z.object({ ...requestId, 'WWW-Authenticate': header.wwwAuthenticate });
  if (status === 403)
    return z.object({ ...requestId, 'WWW-Authenticate': header.wwwAuthenticate.optional() });
  if (status === 429) return z.object({ ...requestId, 'Retry-After': header.retryAfter, ...rateLimit });
  if (status === 503) return z.object({ ...requestId, 'Retry-After': header.retryAfter });
  return z.object(requestId);
};

const pascal = (text: string): string =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
const camel = (text: string): string => {
  const name = pascal(text);
  return name.charAt(0).toLowerCase() + name.slice(1);
};

const examplesOf = (codes: readonly string[]) =>
  Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/examples/${code}` }])) as Record<
    string,
    oas31.ReferenceObject
  >;

/**
 * One problem answer per status and set of codes, registered once as a component (`QuotaExceededOr...`)
 * and referenced by every operation that can give it. `type` is narrowed to the set's URIs.
 */
const problemResponse = (status: number, codes: readonly ProblemCode[]): ZodOpenApiResponseObject => ({
  id: codes.map(pascal).join('Or'),
  description: codes.map((code) => `\`${code}\`: ${problemTypes[code].title}`).join('; '),
  headers: headersOf(status),
  content: {
    'application/problem+json': {
      schema: z.intersection(
        problemBody,
        z.looseObject({
          type: z.enum(codes.map((code) => problemTypeUri(code)) as [string, ...string[]]),
          status: z.literal(status),
        }),
      ),
      examples: examplesOf(codes),
    },
  },
});

const catchAllResponse = (code: GatewayCatchAllCode): ZodOpenApiResponseObject => ({
  id: pascal(code),
  description: `\`${code}\`: API Gateway's own answer for a reason it has no more specific type for (the status is its own)`,
  headers: z.object({ 'x-request-id': header.requestId }),
  content: {
    'application/problem+json': {
      schema: z.intersection(gatewayCatchAllBody, z.looseObject({ type: z.literal(problemTypeUri(code)) })),
      examples: examplesOf([code]),
    },
  },
});

const successResponses = (contract: RouteContract): ZodOpenApiResponsesObject =>
  Object.fromEntries(
    (
      Object.entries(contract.responses) as [`${SuccessStatus}`, RouteContract['responses'][SuccessStatus]][]
    ).map(([status, response]) => {
      if (response === undefined) throw new TypeError(`response ${status} is undefined`);
      const headers = headersOf(Number(status));
      return [
        status,
        {
          description: response.description,
          headers: response.headers === undefined ? headers : headers.extend(response.headers._zod.def.shape),
          ...(response.body === undefined
            ? {}
            : { content: { 'application/json': { schema: response.body } } }),
        } satisfies ZodOpenApiResponseObject,
      ];
    }),
  );

/** zod-openapi registers a response component by object identity: one object per id, per document. */
const once = <T>(cache: Map<string, T>, id: string, build: () => T): T => {
  const found = cache.get(id);
  if (found !== undefined) return found;
  const built = build();
  cache.set(id, built);
  return built;
};

const problemResponses = (
  route: RouteDefinition,
  contract: RouteContract,
  cache: Map<string, ZodOpenApiResponseObject>,
): ZodOpenApiResponsesObject => {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of problemsOf(route, contract)) {
    const { status } = problemTypes[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return {
    ...Object.fromEntries(
      [...byStatus.entries()].map(([status, codes]) => [
        String(status),
        once(cache, codes.join(' '), () => problemResponse(status, codes)),
      ]),
    ),
    '4XX': once(cache, 'gateway-4xx', () => catchAllResponse('gateway-4xx')),
    '5XX': once(cache, 'gateway-5xx', () => catchAllResponse('gateway-5xx')),
  };
};

const pathParametersOf = (path: string): z.ZodObject | undefined => {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  if (names.length === 0) return undefined;
  return z.object(Object.fromEntries(names.map((name) => [name, z.string().min(1)])));
};

const rateLimitText = (route: RouteDefinition): string => {
  const { policy } = route.rateLimit;
  const limit =
    policy === 'default'
      ? `the default policy (API_RATE_LIMIT_REQUESTS per API_RATE_LIMIT_WINDOW_SECONDS)`
      : policy.kind === 'token_bucket'
        ? `a token bucket of ${policy.burst} per ${policy.perSeconds} s`
        : `${policy.requests} requests per ${policy.windowSeconds} s`;
  const key =
    route.auth === 'required' ? 'per principal (an API key may carry its own policy)' : 'per client address';
  return `Rate limit: ${limit}, ${key}.`;
};

const operationOf = (
  route: RouteDefinition,
  contract: RouteContract,
  auth: NonNullable<OpenApiOptions['auth']>,
  cache: Map<string, ZodOpenApiResponseObject>,
): ZodOpenApiOperationObject => {
  const roles = route.roles ?? [];
  const parameters = pathParametersOf(route.path);
  return {
    operationId: camel(route.id),
    summary: route.description,
    description: [
      route.auth === 'public'
        ? 'Public: no credential.'
        : `Authenticated${contract.accepts === undefined ? '' : ` with ${contract.accepts.join(' or ')} only`}${roles.length === 0 ? '' : `; role ${roles.join(' or ')} (403 otherwise)`}.`,
      rateLimitText(route),
    ].join(' '),
    security: securityOf(route, contract, auth.strategy),
    'x-bulwark-route': route.id,
    ...(roles.length === 0 ? {} : { 'x-bulwark-roles': [...roles] }),
    ...(parameters === undefined && contract.query === undefined
      ? {}
      : {
          requestParams: {
            ...(parameters === undefined ? {} : { path: parameters }),
            ...(contract.query === undefined ? {} : { query: contract.query as z.ZodObject }),
          },
        }),
    ...(contract.body === undefined
      ? {}
      : {
          requestBody: {
            required: !contract.bodyOptional,
            content: { 'application/json': { schema: contract.body } },
          },
        }),
    responses: { ...successResponses(contract), ...problemResponses(route, contract, cache) },
  };
};

const defaultAuth = (): NonNullable<OpenApiOptions['auth']> => ({
  strategy: defaultOf(runtimeSettings.auth.strategy.parser),
  apiKeyHeader: defaultOf(runtimeSettings.auth.header.parser),
});

/**
 * The OpenAPI 3.1 document of a route table, generated from the table (paths, methods, authentication,
 * roles, rate limits, grants) and each route module's contract (zod body and answer schemas, the problems
 * its handler raises). Nothing is written by hand: a new route appears once its entry and module exist.
 */
export const openApiDocumentOf = (options: OpenApiOptions): OpenApiDocument => {
  const auth = options.auth ?? defaultAuth();
  const modules = new Map(options.modules.map((module) => [module.id, module]));
  const missing = options.routes.filter((route) => modules.get(route.id)?.contract === undefined);
  if (missing.length > 0)
    throw new TypeError(
      `No route module with a contract for: ${missing.map((route) => route.id).join(', ')} (secureRoute/publicRoute with \`responses\`)`,
    );
  const paths: ZodOpenApiPathsObject = {};
  const requirements: SecurityRequirement[] = [];
  const used = new Set<string>(['gateway-4xx', 'gateway-5xx']);
  const cache = new Map<string, ZodOpenApiResponseObject>();
  for (const route of options.routes) {
    const contract = modules.get(route.id)?.contract as RouteContract;
    const operation = operationOf(route, contract, auth, cache);
    requirements.push(...(operation.security ?? []));
    for (const code of problemsOf(route, contract)) used.add(code);
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  const allExamples: Record<string, ProblemExample> = {
    ...problemExamplesOf(auth.apiKeyHeader),
    ...gatewayCatchAllExamples,
  };
  const examples = Object.fromEntries(Object.entries(allExamples).filter(([code]) => used.has(code)));
  return createDocument({
    openapi: '3.1.0',
    info: options.info,
    servers: [{ url: '.', description: 'Where this document is served: GET /openapi.json of the API' }],
    paths,
    components: {
      securitySchemes: securitySchemesOf(requirements, auth.apiKeyHeader),
      examples,
    },
  }) as OpenApiDocument;
};
