import type { RouteContract } from '../chain/route-contract.js';
import { type ProblemCode, problemTypes } from '../errors/problem-types.js';
import { limiterUpdate, type RouteDefinition } from '../routes/route-definition.js';

/** Raised by the chain in front of every route: host check, body limit, rate limit, error handler. */
const everyRoute: readonly ProblemCode[] = [
  'untrusted-host',
  'body-too-large',
  'quota-exceeded',
  'limiter-unavailable',
  'internal-error',
];
/**
 * API Gateway's own answers on any route (shared/errors/edge-answers.ts): WAF block, stage throttle,
 * integration failure and timeout. Its payload limit is `body-too-large`, which every route has anyway.
 */
const edge: readonly ProblemCode[] = ['request-blocked', 'api-throttled', 'bad-gateway', 'gateway-timeout'];
/** JSON parsing and strict validation (routes with a `body`). */
const jsonBody: readonly ProblemCode[] = ['malformed-json', 'unsupported-media-type', 'validation-failed'];
/** Authentication (`required` routes). */
const authenticated: readonly ProblemCode[] = ['unauthenticated', 'invalid-credentials'];

/**
 * Whether the route calls a backend besides the limiter's own write (a table, a secret): then a backend
 * that misses its deadline is a 503 `service-unavailable` (DependencyUnavailableError).
 */
const callsBackends = (route: RouteDefinition): boolean =>
  route.secrets.length > 0 ||
  Object.entries(route.tables).some(
    ([table, grants]) => table !== 'rateLimits' || grants.some((grant) => grant !== limiterUpdate),
  );

/**
 * Every problem a route can answer with, in catalogue order: what its chain raises (derived from the
 * entry and the module's body), what its handler declares, and what API Gateway and WAF answer in front
 * of it. Nothing here is declared twice: a new middleware's problem is added here once, for every route.
 */
export const problemsOf = (route: RouteDefinition, contract: RouteContract): ProblemCode[] => {
  const codes = new Set<ProblemCode>([
    ...everyRoute,
    ...(contract.body === undefined ? [] : jsonBody),
    ...(route.auth === 'required' ? authenticated : []),
    ...(route.auth === 'required' && contract.accepts !== undefined
      ? (['invalid-credentials'] as const)
      : []),
    ...(route.roles !== undefined && route.roles.length > 0 ? (['forbidden'] as const) : []),
    ...(callsBackends(route) ? (['service-unavailable'] as const) : []),
    ...(contract.problems ?? []),
    ...edge,
  ]);
  return (Object.keys(problemTypes) as ProblemCode[]).filter((code) => codes.has(code));
};
