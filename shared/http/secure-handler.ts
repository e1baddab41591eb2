import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { sessionRevocationKey } from '../adapters/dynamodb/dynamodb-session-store.js';
import { emfCounters } from '../adapters/metrics/emf-counters.js';
import type { Principal } from '../auth/principal.js';
import type { Role } from '../domain/users/user.js';
import type { RequestLogger } from '../logging/request-logger.js';
import { addSecurityHeaders } from '../middlewares/add-security-headers.js';
import { answerProblems } from '../middlewares/answer-problems.js';
import { applyCors } from '../middlewares/apply-cors.js';
import { assignRequestId } from '../middlewares/assign-request-id.js';
import { authenticate } from '../middlewares/authenticate.js';
import { limitBodySize } from '../middlewares/limit-body-size.js';
import { parseJsonBody } from '../middlewares/parse-json-body.js';
import { limitFailedAuthentication, type RateLimitOptions, rateLimit } from '../middlewares/rate-limit.js';
import { rejectRevokedSessions } from '../middlewares/reject-revoked-sessions.js';
import { requireRole } from '../middlewares/require-role.js';
import { requireTrustedHost } from '../middlewares/require-trusted-host.js';
import { resolveClientIp } from '../middlewares/resolve-client-ip.js';
import { validateBody } from '../middlewares/validate-body.js';
import { authServices } from '../runtime/auth-services.js';
import type { Runtime } from '../runtime/runtime.js';
import { allowedMethodsFor } from './match-route.js';
import { routes } from './route-table.js';
import type { BulwarkContext, SecureRequest } from './secure-request.js';

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
  /** At least one of these roles is required (403 otherwise). */
  readonly roles?: readonly Role[];
  /** A JSON route: content type, JSON parsing and strict validation run before the handler. */
  readonly body?: TSchema;
  /** For routes whose body is optional: a missing body is validated as this value. */
  readonly emptyBody?: unknown;
  /** Rate limiting after authentication (so it can key on the principal); see routeSecurity(). */
  readonly rateLimit?: RateLimitOptions;
}

/** What Lambda calls: a plain Lambda context in; the chain adds the request state to it. */
export type SecureHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export const exposedHeaders = ['x-request-id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'] as const;

const corsFor = (runtime: Runtime) =>
  applyCors({
    allowOrigins: runtime.config.cors.allowOrigins,
    allowHeaders: ['content-type', 'authorization', runtime.config.auth.header, 'x-request-id'],
    allowMethods: allowedMethodsFor(routes.map((route) => route.method)),
    exposeHeaders: exposedHeaders,
    maxAgeSeconds: runtime.config.cors.maxAgeSeconds,
  });

const authenticationFor = async (
  runtime: Runtime,
  routeId: string,
  limitFailure: ((request: SecureRequest) => Promise<void>) | undefined,
) => {
  const { config } = runtime;
  const strategy = config.auth.strategy;
  if (strategy === 'disabled') {
    return authenticate({
      strategy,
      routeId,
      apiKeyHeader: config.auth.header,
      sessionRevocationKey,
      metrics: { count: () => undefined },
    });
  }
  const services = authServices(runtime);
  const tokens = strategy === 'jwt' || strategy === 'jwt_or_api_key';
  const keys = strategy === 'api_key' || strategy === 'jwt_or_api_key';
  // Loading the secrets at cold start warms the caches and lets production refuse development keys.
  await services.assertSecrets({ verificationKeys: tokens, pepper: keys });
  return authenticate({
    strategy,
    routeId,
    apiKeyHeader: config.auth.header,
    ...(tokens ? { verifyAccessToken: (token: string) => services.tokenVerifier().verify(token) } : {}),
    ...(keys ? { verifyApiKey: (credential: string) => services.apiKeys().verify(credential) } : {}),
    sessionRevocationKey,
    metrics: { count: (metric, dimensions) => services.counters.count(metric, dimensions) },
    ...(limitFailure === undefined ? {} : { limitFailure }),
  });
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
  const counters = emfCounters();
  const route = options.rateLimit?.routeId ?? 'route';
  chain
    .use(
      answerProblems({
        countUnavailable: (dependency) => counters.count('dependency_unavailable', { route, dependency }),
      }),
    )
    .use(resolveClientIp({ trustProxyHops: config.trustProxyHops }))
    .use(requireTrustedHost({ trustedHosts: config.trustedHosts }))
    .use(limitBodySize({ maxBytes: config.bodyMaxBytes }));
  if (options.auth === 'required')
    chain.use(
      await authenticationFor(
        runtime,
        options.rateLimit?.routeId ?? 'route',
        options.rateLimit === undefined ? undefined : limitFailedAuthentication(options.rateLimit),
      ),
    );
  // The limiter proves the session is not revoked in the same write, so it precedes the role check:
  // a revoked token is a 401 whatever its roles.
  if (options.rateLimit !== undefined) chain.use(rateLimit(options.rateLimit));
  // Without a limiter nothing folds the revocation check into a write, so it is a read of its own.
  else if (options.auth === 'required') chain.use(rejectRevokedSessions(runtime));
  if (options.roles !== undefined && options.roles.length > 0)
    chain.use(requireRole({ roles: options.roles }));
  if (options.body !== undefined)
    chain.use(parseJsonBody({ whenEmpty: options.emptyBody })).use(validateBody({ schema: options.body }));

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
