import type { Principal } from '../auth/principal.js';
import type { LimiterFailureMode } from '../domain/rate-limit/limiter-failure-mode.js';
import type { LimiterMetrics } from '../domain/rate-limit/limiter-metrics.js';
import type { RateLimitDecision } from '../domain/rate-limit/rate-limit-decision.js';
import { policyName, type RateLimitPolicy } from '../domain/rate-limit/rate-limit-policy.js';
import type { RateLimiter } from '../domain/rate-limit/rate-limiter.js';
import { CredentialsInvalidError } from '../errors/auth-errors.js';
import { LimiterUnavailableError, QuotaExceededError } from '../errors/rate-limit-errors.js';
import { clientAddressKey } from '../http/client-address-key.js';
import { rateLimitHeaders } from '../http/rate-limit-headers.js';
import type { SecureMiddleware, SecureRequest } from '../http/secure-request.js';

export interface RateLimitOptions {
  readonly limiter: RateLimiter;
  readonly metrics: LimiterMetrics;
  /** Route id: part of every key, so each route has its own budget. */
  readonly routeId: string;
  readonly policy: RateLimitPolicy;
  /** Per-principal override (an API key's own policy); undefined keeps the route's. */
  readonly policyFor?: (principal: Principal) => RateLimitPolicy | undefined;
  readonly failureMode: LimiterFailureMode;
  /** Retry-After of the 503 when the limiter is down and the mode is fail-closed. */
  readonly unavailableRetryAfterSeconds?: number;
  /**
   * Requests this route never limits: the fallback's CORS preflights for paths the API serves, which
   * must always pass (floods at unknown paths are limited like any other request).
   */
  readonly exempt?: (event: SecureRequest['event']) => boolean;
  /** Raises the guard rail for a request admitted unlimited (fail-open); must never throw. */
  readonly onFailOpen?: (dimensions: { readonly route: string; readonly policy: string }) => Promise<void>;
}

/** The authenticated principal when there is one, the trusted client IP otherwise. */
export const rateLimitKey = (request: SecureRequest): string => {
  const { principal, clientIp } = request.context.bulwark;
  return principal === undefined ? `ip:${clientAddressKey(clientIp)}` : `${principal.kind}:${principal.id}`;
};

/**
 * For a request that failed authentication (no credential, or one that does not verify): counts it
 * against the client address's budget of the route, exactly as an anonymous request to a public route,
 * and throws 429 past it; otherwise the caller throws its 401. A valid principal's budget is keyed by
 * the principal, so nobody else's failures can spend it. When the limiter cannot decide, the request
 * is refused anyway, so the 401 stands (counted as a backend error).
 */
export const limitFailedAuthentication =
  (options: RateLimitOptions) =>
  async (request: SecureRequest): Promise<void> => {
    const state = request.context.bulwark;
    const dimensions = { route: options.routeId, policy: policyName(options.policy) };
    let decision: RateLimitDecision;
    try {
      decision = await options.limiter.decide(
        `rl#${options.routeId}#ip:${clientAddressKey(state.clientIp)}`,
        options.policy,
      );
    } catch (error) {
      options.metrics.count('backend_error', dimensions);
      state.log.warn('rate limiter unavailable: failed authentication not counted', { ...dimensions, error });
      return;
    }
    if (!decision.allowed) {
      options.metrics.count('reject', dimensions);
      if (decision.source === 'cache') options.metrics.count('local_reject', dimensions);
      throw new QuotaExceededError(rateLimitHeaders(decision));
    }
    Object.assign(state.responseHeaders, rateLimitHeaders(decision));
  };

/** Verifications of a changed key within one request before the limiter gives up (fails closed). */
const maxRecordRounds = 3;

/**
 * Decides each request before it reaches the handler and throws 429 (or 503 when the limiter cannot
 * decide and the route fails closed). Every answer to an admitted request carries the RateLimit headers.
 *
 * An API key verified from a cached record (`apiKeyProof`) is decided on its record: the limiter's write
 * proves the record unchanged. When it has changed, the key is verified again from a fresh read (a
 * revoked, expired or rotated-out key gets its 401 there) and the request is decided anew under what
 * the record says now (its roles and its own limit).
 */
export const rateLimit = (options: RateLimitOptions): SecureMiddleware => {
  return {
    name: 'rateLimit',
    before: async (request) => {
      if (options.exempt?.(request.event) === true) return;
      const state = request.context.bulwark;
      for (let round = 1; ; round += 1) {
        // Explicitly unlimited keys skip the limiter; authentication logged and counted the breach.
        // (A provable key is never unlimited from cache: such a key is always verified by a read.)
        if (state.principal?.kind === 'api_key' && state.principal.rateLimit === 'unlimited') return;
        const policy =
          (state.principal === undefined ? undefined : options.policyFor?.(state.principal)) ??
          options.policy;
        const dimensions = { route: options.routeId, policy: policyName(policy) };
        const proof = state.apiKeyProof;
        let decision: RateLimitDecision;
        try {
          decision =
            proof === undefined
              ? await options.limiter.decide(`rl#${options.routeId}#${rateLimitKey(request)}`, policy, {
                  mustNotExist: state.revocationGuards,
                })
              : await options.limiter.decide(`rl#${options.routeId}`, policy, {
                  record: { id: proof.keyId, version: proof.version },
                });
        } catch (error) {
          options.metrics.count('backend_error', dimensions);
          // Fail-open never extends to revocation: a session that cannot be proven live is refused, and a
          // key known only from cache is read first (a 401 or a 503 from there, as without a cache).
          if (options.failureMode === 'fail-open' && state.revocationGuards.length === 0) {
            if (proof?.fromCache === true) await proof.refresh();
            options.metrics.count('fail_open', dimensions);
            state.log.warn('rate limiter unavailable: request admitted (fail-open)', {
              ...dimensions,
              error,
            });
            await options.onFailOpen?.(dimensions);
            return;
          }
          options.metrics.count('fail_closed', dimensions);
          state.log.error('rate limiter unavailable: request refused (fail-closed)', {
            ...dimensions,
            error,
          });
          throw new LimiterUnavailableError(options.unavailableRetryAfterSeconds ?? 5, error);
        }
        if (decision.recordChanged === true && proof !== undefined) {
          if (round >= maxRecordRounds) {
            // A record that changes under every read and write: nothing could be proven, refuse.
            options.metrics.count('fail_closed', dimensions);
            throw new LimiterUnavailableError(
              options.unavailableRetryAfterSeconds ?? 5,
              new Error('the API key record kept changing'),
            );
          }
          await proof.refresh();
          continue;
        }
        if (decision.guardFailed) throw new CredentialsInvalidError('session_revoked');
        if (!decision.allowed) {
          options.metrics.count('reject', dimensions);
          if (decision.source === 'cache') options.metrics.count('local_reject', dimensions);
          throw new QuotaExceededError(rateLimitHeaders(decision));
        }
        options.metrics.count('allow', dimensions);
        // On every answer to an admitted request, a handler's 4xx included: it spent quota too.
        Object.assign(state.responseHeaders, rateLimitHeaders(decision));
        return;
      }
    },
  };
};
