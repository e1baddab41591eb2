import { apiKeyParsingChecks } from './checks/api-key-parsing.js';
import { bodyTrickChecks } from './checks/body-tricks.js';
import { corsChecks } from './checks/cors.js';
import { errorLeakChecks } from './checks/error-leaks.js';
import { failedAuthLimitChecks } from './checks/failed-auth-limits.js';
import { limiterBypassChecks } from './checks/limiter-bypass.js';
import { loginThrottlingChecks } from './checks/login-throttling.js';
import { realtimeChecks } from './checks/realtime.js';
import { refreshReplayChecks } from './checks/refresh-replay.js';
import { revocationChecks } from './checks/revocation.js';
import { securityHeaderChecks } from './checks/security-headers.js';
import { slowBackendChecks } from './checks/slow-backend.js';
import { tokenForgeryChecks } from './checks/token-forgery.js';
import { trustedHostChecks } from './checks/trusted-hosts.js';
import type { SecurityCheck } from './security-check.js';

/**
 * Every check, in the order they run. Against a stage all requests come from one address, so the order
 * matters: checks that expect 401s run before the floods that may rate-limit that address, and the login
 * throttling checks, which put the runner's address into a login back-off, run last. The slow-backend
 * checks pause the local backend, so they come after everything else.
 */
export const securityChecks: readonly SecurityCheck[] = Object.freeze([
  ...securityHeaderChecks,
  ...corsChecks,
  ...errorLeakChecks,
  ...bodyTrickChecks,
  ...tokenForgeryChecks,
  ...apiKeyParsingChecks,
  ...revocationChecks,
  ...realtimeChecks,
  ...refreshReplayChecks,
  ...failedAuthLimitChecks,
  ...limiterBypassChecks,
  ...trustedHostChecks,
  ...loginThrottlingChecks,
  ...slowBackendChecks,
]);
