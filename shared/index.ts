/**
 * `bulwark`: what a team's own app uses to put its routes behind Bulwark. One explicit list, no `export *`.
 * Declare routes in a table, write one module per route with secureRoute()/publicRoute(), and let
 * `bulwark/cdk` (BulwarkApi) and `bulwark/local` (serveLocally) deploy and serve them with Bulwark's own.
 */

// Answers and errors: a BulwarkError with a catalogue code becomes problem+json with the code's status.
export type { Principal } from './auth/principal.js';
// The answers of Bulwark's own routes: the zod schemas its route modules declare, for `z.output<typeof ...>`
// in clients (the CLI). Type-only: importing the barrel loads none of them.
export type { tokenPairBody } from './auth/tokens/token-pair-body.js';
// Route modules: the one call per route, and the fallback for a whole table.
export type { RouteHandle, RouteInput, SecureHandler } from './chain/create-secure-handler.js';
export { publicRoute, type RouteBodyOptions, type RouteOptions } from './chain/public-route.js';
export type {
  CredentialKind,
  ResponseContract,
  RouteContract,
  RouteResponses,
  SuccessStatus,
} from './chain/route-contract.js';
export { routeFallback } from './chain/route-fallback.js';
export type { RouteModule } from './chain/route-module.js';
export { type SecureRouteOptions, secureRoute } from './chain/secure-route.js';
export type { apiKeyViewBody, issuedApiKeyBody } from './domain/api-keys/api-key-bodies.js';
// Circuit breakers for non-security dependencies (never for revocation, API keys or limits), with last good
// answers; the breaker state for health checks.
export type { LastGood, LastGoodCache } from './domain/breaker/breaker-state-store.js';
export type { BreakerStatus, BreakerStatusUnknown } from './domain/breaker/breaker-status.js';
export { breakerStatusBody } from './domain/breaker/breaker-status-body.js';
export { callWithLastGood, NoAnswerError, type Served } from './domain/breaker/call-with-last-good.js';
export {
  CallTimedOutError,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  CircuitOpenError,
} from './domain/breaker/circuit-breaker.js';
export type {
  GuardrailEventSink,
  GuardrailKind,
  Guardrails,
  HealthChangedEvent,
} from './domain/guardrails/guardrails.js';
export type { fullHealthBody } from './domain/health/full-health-body.js';
export type { datasourceViewBody } from './domain/realtime/datasource.js';
export type { TriageReport } from './domain/triage/summarize-errors.js';
export type { triageReportBody } from './domain/triage/triage-report-body.js';
export type { updatedUserBody, userListBody } from './domain/users/administered-user-bodies.js';
export type { publicUserBody } from './domain/users/public-user-body.js';
export type { sessionsRevokedBody } from './domain/users/sessions-revoked-body.js';
export type { Role } from './domain/users/user.js';
export { BulwarkError } from './errors/bulwark-error.js';
export type { ProblemCode } from './errors/problem-types.js';
export { emptyResponse, jsonResponse } from './http/json-response.js';
// Redaction as the logger applies it, for anything else a route sends away.
export { redactPairs } from './logging/redact-pairs.js';
export { createRedactor, type RedactionOptions, type Redactor } from './logging/redact-sensitive.js';
// The route that serves a table's OpenAPI document (generated at build time with `bulwark/openapi`).
export { openApiRoute } from './openapi/openapi-route.js';
export {
  defineGateway,
  type GatewayFunction,
  type GatewayTrigger,
  realtimeGateway,
  type StreamSource,
} from './routes/realtime-gateway.js';
export { realtimeRoutes } from './routes/realtime-routes.js';
export type {
  AuthenticatedRouteIdOf,
  CapacityClass,
  HttpMethod,
  PublicRouteIdOf,
  RouteBody,
  RouteDefinition,
  RouteIdOf,
  RouteRateLimit,
  RouteTable,
  SecuredFunction,
  TableGrant,
  TableGrants,
} from './routes/route-definition.js';
// Route tables: Bulwark's own routes, and the helpers a team's entries are written with.
export {
  admin,
  authenticatedEntry,
  breakerStateGrant,
  breakerStatusGrant,
  capacityClasses,
  capacityClassOf,
  defaultLimit,
  defineRoutes,
  fallbackRoute,
  firstAdminFunction,
  lastGoodGrant,
  publicEntry,
} from './routes/route-definition.js';
// Realtime (ADR 0014), opt-in: the realtime routes go into a team's table next to Bulwark's core routes,
// and `realtimeGateway` is the gateway's functions, which BulwarkApi (`realtime: { gateway }`) and
// serveLocally (`gateway`) deploy and serve.
export { coreRoutes as bulwarkRoutes, functionEntry as bulwarkFunctionEntry } from './routes/route-table.js';
export { breakerFor, breakerStatuses } from './runtime/breakers-for.js';
// The runtime a route module is built on: Lambda's from the environment, or one composed by hand (tests).
export { createRuntime, type RuntimeParts } from './runtime/create-runtime.js';
export { guardrailsFor } from './runtime/guardrails-for.js';
export { loadRuntime } from './runtime/load-runtime.js';
export type { Runtime, Stores } from './runtime/runtime.js';
