import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { assertStrongSecret } from '../auth/assert-strong-secret.js';
import type { Principal } from '../auth/principal.js';
import { staticApiKeyVerifier } from '../auth/static-api-key-verifier.js';
import type { RequestLogger } from '../logging/request-logger.js';
import { addSecurityHeaders } from '../middlewares/add-security-headers.js';
import { answerProblems } from '../middlewares/answer-problems.js';
import { applyCors } from '../middlewares/apply-cors.js';
import { assignRequestId } from '../middlewares/assign-request-id.js';
import { authenticate } from '../middlewares/authenticate.js';
import { limitBodySize } from '../middlewares/limit-body-size.js';
import { parseJsonBody } from '../middlewares/parse-json-body.js';
import { type RateLimitOptions, rateLimit } from '../middlewares/rate-limit.js';
import { requireTrustedHost } from '../middlewares/require-trusted-host.js';
import { resolveClientIp } from '../middlewares/resolve-client-ip.js';
import { validateBody } from '../middlewares/validate-body.js';
import { requireSetting } from '../runtime/require-setting.js';
import type { Runtime } from '../runtime/runtime.js';
import { secretDefinitions } from '../tables/secret-definitions.js';
import { allowedMethodsFor } from './match-route.js';
import { routes } from './route-table.js';
import type { BulwarkContext } from './secure-request.js';

export interface RouteInput<TBody> {
  readonly body: TBody;
  readonly event: APIGatewayProxyEvent;
  readonly requestId: string;
  readonly clientIp: string;
  readonly principal: Principal | undefined;
  readonly log: RequestLogger;
}

export interface SecureRouteOptions<TSchema extends z.ZodType | undefined> {
  /** `required` runs the configured authentication strategy. */
  readonly auth: 'public' | 'required';
  /** A JSON route: content type, JSON parsing and strict validation run before the handler. */
  readonly body?: TSchema;
  /** Rate limiting after authentication (so it can key on the principal); see routeSecurity(). */
  readonly rateLimit?: RateLimitOptions;
}

/** What Lambda calls: a plain Lambda context in; the chain adds the request state to it. */
export type SecureHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export const exposedHeaders = ['x-request-id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'] as const;

const corsFor = (runtime: Runtime) =>
  applyCors({
    allowOrigins: runtime.config.cors.allowOrigins,
    allowHeaders: ['content-type', runtime.config.auth.header, 'x-request-id'],
    allowMethods: allowedMethodsFor(routes.map((route) => route.method)),
    exposeHeaders: exposedHeaders,
    maxAgeSeconds: runtime.config.cors.maxAgeSeconds,
  });

const authenticationFor = async (runtime: Runtime) => {
  const { config } = runtime;
  if (config.auth.strategy === 'disabled') return authenticate({ strategy: 'disabled' });
  const secret = secretDefinitions.apiKey;
  const secretArn = requireSetting(secret.environmentVariable, config.apiKeySecretArn);
  const verifier = staticApiKeyVerifier(runtime.secretStore, secretArn, secret.jsonKey);
  // Loading at cold start warms the cache and lets production refuse a weak or development key.
  const key = await verifier.loadKey();
  if (config.environment === 'production') assertStrongSecret(secret.environmentVariable, key);
  return authenticate({ strategy: 'api_key', header: config.auth.header, verifier });
};

/**
 * Wraps a route handler in the security chain (order and reasons in docs/adr/0002). `before` hooks run
 * top to bottom; `after`/`onError` bottom to top, so the problem handler builds the error response
 * before CORS, security headers and the request id decorate it. Security middlewares throw; only the
 * handler produces a success response.
 */
export const createSecureHandler = async <TSchema extends z.ZodType | undefined = undefined>(
  runtime: Runtime,
  options: SecureRouteOptions<TSchema>,
  handle: (
    input: RouteInput<TSchema extends z.ZodType ? z.output<TSchema> : undefined>,
  ) => Promise<APIGatewayProxyResult>,
): Promise<SecureHandler> => {
  const { config } = runtime;
  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, BulwarkContext>()
    .use(httpHeaderNormalizer())
    .use(assignRequestId({ logger: runtime.logger }))
    .use(addSecurityHeaders());
  if (config.cors.enabled) chain.use(corsFor(runtime));
  chain
    .use(answerProblems())
    .use(resolveClientIp({ trustProxyHops: config.trustProxyHops }))
    .use(requireTrustedHost({ trustedHosts: config.trustedHosts }))
    .use(limitBodySize({ maxBytes: config.bodyMaxBytes }));
  if (options.auth === 'required') chain.use(await authenticationFor(runtime));
  if (options.rateLimit !== undefined) chain.use(rateLimit(options.rateLimit));
  if (options.body !== undefined) chain.use(parseJsonBody()).use(validateBody({ schema: options.body }));

  const handler = chain.handler(async (event, context) => {
    const state = context.bulwark;
    return handle({
      body: state.body as TSchema extends z.ZodType ? z.output<TSchema> : undefined,
      event,
      requestId: state.requestId,
      clientIp: state.clientIp,
      principal: state.principal,
      log: state.log,
    });
  });
  return (event, context) => handler(event, context as BulwarkContext);
};
