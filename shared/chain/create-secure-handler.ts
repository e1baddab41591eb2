import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import type { CredentialKind, Principal } from '../auth/principal.js';
import { sessionRevocationKey } from '../domain/sessions/session-revocation-key.js';
import type { Role } from '../domain/users/user.js';
import type { BulwarkContext } from '../http/secure-request.js';
import type { RequestLogger } from '../logging/request-logger.js';
import { addSecurityHeaders } from '../middlewares/add-security-headers.js';
import { answerProblems } from '../middlewares/answer-problems.js';
import { applyCors } from '../middlewares/apply-cors.js';
import { assignRequestId } from '../middlewares/assign-request-id.js';
import type { AuthenticateOptions, authenticate } from '../middlewares/authenticate.js';
import { limitBodySize } from '../middlewares/limit-body-size.js';
import { normalizeHeaders } from '../middlewares/normalize-headers.js';
import { parseJsonBody } from '../middlewares/parse-json-body.js';
import { limitFailedAuthentication, type RateLimitOptions, rateLimit } from '../middlewares/rate-limit.js';
import { rejectRevokedSessions } from '../middlewares/reject-revoked-sessions.js';
import { requireCredentialKind } from '../middlewares/require-credential-kind.js';
import { requireRole } from '../middlewares/require-role.js';
import { requireTrustedHost } from '../middlewares/require-trusted-host.js';
import { resolveClientIp } from '../middlewares/resolve-client-ip.js';
import { validateBody } from '../middlewares/validate-body.js';
import { allowedMethodsFor } from '../routes/match-route.js';
import type { HttpMethod } from '../routes/route-definition.js';
import { guardrailsFor } from '../runtime/guardrails-for.js';
import type { Runtime } from '../runtime/runtime.js';

export interface RouteInput<TBody> {
  readonly body: TBody;
  readonly event: APIGatewayProxyEvent;
  readonly requestId: string;
  readonly clientIp: string;
  readonly principal: Principal | undefined;
  readonly log: RequestLogger;
}

/**
 * How a chain authenticates: the configured strategy and the functions that verify each kind of
 * credential (built by authenticationFor(runtime) for secure routes). Middlewares receive functions,
 * never the runtime.
 */
export type AuthenticationDependencies = Pick<
  AuthenticateOptions,
  'strategy' | 'apiKeyHeader' | 'verifyAccessToken' | 'verifyApiKey' | 'verifyProvableApiKey'
> & {
  /**
   * The authentication middleware's factory, handed in by whoever built these dependencies, so a public
   * route's chain never loads authentication code at all.
   */
  readonly middleware: typeof authenticate;
  /**
   * Only for a chain without a rate limit (tests, a team's own chain): the revocation check as a read of
   * its own. With a limiter the marker is proven absent inside the limiter's write instead.
   */
  readonly isSessionRevoked?: (sessionId: string) => Promise<boolean>;
};

export interface SecureRouteOptions<TSchema extends z.core.$ZodType | undefined> {
  /** Names the route in metrics and logs. */
  readonly routeId: string;
  /** `required` runs the authentication strategy (`authentication` must then be given). */
  readonly auth: 'public' | 'required';
  readonly authentication?: AuthenticationDependencies;
  /** At least one of these roles is required (403 otherwise). */
  readonly roles?: readonly Role[];
  /** Only these kinds of credential pass (401 otherwise); every kind the strategy accepts by default. */
  readonly accepts?: readonly CredentialKind[];
  /** A JSON route: content type, JSON parsing and strict validation run before the handler. */
  readonly body?: TSchema;
  /** For routes whose body is optional: a missing body is validated as this value. */
  readonly emptyBody?: unknown;
  /** Rate limiting after authentication (so it can key on the principal); see routeSecurityOf(). */
  readonly rateLimit?: RateLimitOptions;
  /** What CORS preflights may ask for: the methods of the route table this route belongs to. */
  readonly allowedMethods?: readonly HttpMethod[];
  /** `Cache-Control` of successful answers (cacheControlOf(route's cache policy)); `no-store` by default. */
  readonly cacheControl?: string;
}

/** What Lambda calls: a plain Lambda context in; the chain adds the request state to it. */
export type SecureHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export type RouteHandle<TSchema extends z.core.$ZodType | undefined> = (
  input: RouteInput<TSchema extends z.core.$ZodType ? z.core.output<TSchema> : undefined>,
) => Promise<APIGatewayProxyResult>;

export const exposedHeaders = ['x-request-id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'] as const;

const everyMethod: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

const corsFor = (runtime: Runtime, methods: readonly HttpMethod[]) =>
  applyCors({
    allowOrigins: runtime.config.cors.allowOrigins,
    allowHeaders: ['content-type', 'authorization', runtime.config.auth.header, 'x-request-id'],
    allowMethods: allowedMethodsFor(methods),
    exposeHeaders: exposedHeaders,
    maxAgeSeconds: runtime.config.cors.maxAgeSeconds,
  });

/**
 * Wraps a route handler in the security chain (order and reasons in docs/adr/0002). `before` hooks run
 * top to bottom; `after`/`onError` bottom to top, so the problem handler builds the error response
 * before CORS, security headers and the request id decorate it. Security middlewares throw; only the
 * handler produces a success response. secureRoute() and publicRoute() build this from the route table;
 * a chain built by hand states every option itself.
 */
export const createSecureHandler = async <TSchema extends z.core.$ZodType | undefined = undefined>(
  runtime: Runtime,
  options: SecureRouteOptions<TSchema>,
  handle: RouteHandle<TSchema>,
): Promise<SecureHandler> => {
  const { config, counters } = runtime;
  const route = options.routeId;
  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, BulwarkContext>()
    .use(normalizeHeaders())
    .use(assignRequestId({ logger: runtime.logger }))
    .use(
      addSecurityHeaders(
        options.cacheControl === undefined ? {} : { successCacheControl: options.cacheControl },
      ),
    );
  if (config.cors.enabled) chain.use(corsFor(runtime, options.allowedMethods ?? everyMethod));
  chain
    .use(
      answerProblems({
        countUnavailable: (dependency) => counters.count('dependency_unavailable', { route, dependency }),
      }),
    )
    .use(resolveClientIp({ trustProxyHops: config.trustProxyHops }))
    .use(requireTrustedHost({ trustedHosts: config.trustedHosts }))
    .use(limitBodySize({ maxBytes: config.bodyMaxBytes }));
  if (options.auth === 'required') {
    if (options.authentication === undefined)
      throw new TypeError(`route ${route}: authentication is required`);
    const {
      isSessionRevoked: _readOnlyWithoutLimiter,
      middleware,
      verifyProvableApiKey,
      ...authentication
    } = options.authentication;
    chain.use(
      middleware({
        ...authentication,
        // A key from a cached record is proven current by the limiter's write: only with a limiter.
        ...(options.rateLimit === undefined || verifyProvableApiKey === undefined
          ? {}
          : { verifyProvableApiKey }),
        routeId: route,
        sessionRevocationKey,
        metrics: { count: (metric, dimensions) => counters.count(metric, dimensions) },
        onUnlimitedKeyUsed: (keyId) =>
          guardrailsFor(runtime).raise('api_key_unlimited_used', keyId, { route }),
        ...(options.rateLimit === undefined
          ? {}
          : { limitFailure: limitFailedAuthentication(options.rateLimit) }),
      }),
    );
  }
  // The limiter proves the session is not revoked in the same write, so it precedes the role check:
  // a revoked token is a 401 whatever its roles.
  if (options.rateLimit !== undefined) chain.use(rateLimit(options.rateLimit));
  else if (options.auth === 'required') {
    // Without a limiter nothing folds the revocation check into a write: it must be a read of its own.
    const isSessionRevoked = options.authentication?.isSessionRevoked;
    if (isSessionRevoked === undefined)
      throw new TypeError(`route ${route}: without a rate limit, authentication needs isSessionRevoked`);
    chain.use(rejectRevokedSessions({ isSessionRevoked }));
  }
  if (options.auth === 'required' && options.accepts !== undefined)
    chain.use(requireCredentialKind({ accepts: options.accepts }));
  if (options.roles !== undefined && options.roles.length > 0)
    chain.use(requireRole({ roles: options.roles }));
  if (options.body !== undefined)
    chain.use(parseJsonBody({ whenEmpty: options.emptyBody })).use(validateBody({ schema: options.body }));

  const handler = chain.handler(async (event, context) => {
    const state = context.bulwark;
    return handle({
      body: state.body as TSchema extends z.core.$ZodType ? z.core.output<TSchema> : undefined,
      event,
      requestId: state.requestId,
      clientIp: state.clientIp,
      principal: state.principal,
      log: state.log,
    });
  });
  return (event, context) => handler(event, context as BulwarkContext);
};
