import type { LimiterFailureMode } from '../domain/rate-limit/limiter-failure-mode.js';
import type { LimiterOutcome } from '../domain/rate-limit/limiter-metrics.js';
import type { RateLimitDecision } from '../domain/rate-limit/rate-limit-decision.js';
import { policyName, type RateLimitPolicy } from '../domain/rate-limit/rate-limit-policy.js';
import type { RateLimiter } from '../domain/rate-limit/rate-limiter.js';
import { LimiterUnavailableError, QuotaExceededError } from '../errors/rate-limit-errors.js';
import { clientAddressKey } from '../http/client-address-key.js';
import { rateLimitHeaders } from '../http/rate-limit-headers.js';
import type { RequestLogger } from '../logging/request-logger.js';

/**
 * The realtime limits (ADR 0014), in Bulwark's limiter (the rate-limit table, `rl#realtime-...`):
 * connects per principal and per client IP, checked when a datasource token is minted (`token_*`, where a
 * browser can read the 429) and again at `$connect` (`connect_*`, the backstop), each in its own bucket of
 * the same size; public subscribes per client IP.
 */
export const realtimeLimitNames = [
  'token_principal',
  'token_ip',
  'connect_principal',
  'connect_ip',
  'public_subscribe_ip',
] as const;
export type RealtimeLimitName = (typeof realtimeLimitNames)[number];

/** The limits a self-hosted gateway consumes through `POST /internal/gateway/rate-limit/consume`. */
export const gatewayLimitNames = ['connect_principal', 'connect_ip', 'public_subscribe_ip'] as const;
export type GatewayLimitName = (typeof gatewayLimitNames)[number];

export interface RealtimePolicies {
  readonly connectPerPrincipal: RateLimitPolicy;
  readonly connectPerIp: RateLimitPolicy;
  readonly publicSubscribePerIp: RateLimitPolicy;
}

const policyOf = (policies: RealtimePolicies, limit: RealtimeLimitName): RateLimitPolicy => {
  switch (limit) {
    case 'token_principal':
    case 'connect_principal':
      return policies.connectPerPrincipal;
    case 'token_ip':
    case 'connect_ip':
      return policies.connectPerIp;
    case 'public_subscribe_ip':
      return policies.publicSubscribePerIp;
  }
};

const storageScope = (limit: RealtimeLimitName): string =>
  limit.startsWith('token_')
    ? 'realtime-token'
    : limit.startsWith('connect_')
      ? 'realtime-connect'
      : 'realtime-subscribe';

/** What a limit is keyed by: a principal (`<kind>:<id>`) or a client address (`ip:<address or /64>`). */
export const principalSubject = (principal: { readonly kind: string; readonly id: string }): string =>
  `${principal.kind}:${principal.id}`;
export const addressSubject = (clientIp: string): string => `ip:${clientAddressKey(clientIp)}`;

/** The limiter key of a realtime limit; the Lambda gateway and the internal endpoint share it. */
export const realtimeLimitKey = (limit: RealtimeLimitName, subject: string): string =>
  `rl#${storageScope(limit)}#${subject}`;

export interface RealtimeLimiterOptions {
  readonly limiter: RateLimiter;
  readonly policies: RealtimePolicies;
  /** REALTIME_LIMITER_FAILURE_MODE. */
  readonly failureMode: LimiterFailureMode;
  /** `realtime_limit_<outcome>` with the limit and policy as dimensions. */
  readonly count: (
    outcome: LimiterOutcome,
    dimensions: { readonly limit: RealtimeLimitName; readonly policy: string },
  ) => void;
  readonly unavailableRetryAfterSeconds?: number;
  /** Fail-open only: raises the `limiter_fail_open` guard rail, as the API's limiter does. */
  readonly onFailOpen?: (dimensions: {
    readonly limit: RealtimeLimitName;
    readonly policy: string;
  }) => Promise<void>;
}

export interface RealtimeLimiter {
  /**
   * Spends one unit of `limit` for `subject`. Returns the RateLimit headers when admitted; throws
   * QuotaExceededError (429, Retry-After) past the limit, LimiterUnavailableError (503) when the limiter
   * cannot decide and the mode is fail-closed. Fail-open admits, counts and logs.
   */
  readonly enforce: (
    limit: RealtimeLimitName,
    subject: string,
    log: RequestLogger,
  ) => Promise<Readonly<Record<string, string>>>;
  /** The limiter's decision itself (the internal endpoint's answer); a backend failure propagates. */
  readonly decide: (limit: RealtimeLimitName, subject: string) => Promise<RateLimitDecision>;
  readonly policyOf: (limit: RealtimeLimitName) => RateLimitPolicy;
}

export const realtimeLimiter = (options: RealtimeLimiterOptions): RealtimeLimiter => {
  const decide = (limit: RealtimeLimitName, subject: string): Promise<RateLimitDecision> =>
    options.limiter.decide(realtimeLimitKey(limit, subject), policyOf(options.policies, limit));
  return {
    decide,
    policyOf: (limit) => policyOf(options.policies, limit),
    enforce: async (limit, subject, log) => {
      const dimensions = { limit, policy: policyName(policyOf(options.policies, limit)) };
      let decision: RateLimitDecision;
      try {
        decision = await decide(limit, subject);
      } catch (error) {
        options.count('backend_error', dimensions);
        if (options.failureMode === 'fail-open') {
          options.count('fail_open', dimensions);
          log.warn('realtime limiter unavailable: admitted (fail-open)', { ...dimensions, error });
          await options.onFailOpen?.(dimensions);
          return {};
        }
        options.count('fail_closed', dimensions);
        log.error('realtime limiter unavailable: refused (fail-closed)', { ...dimensions, error });
        throw new LimiterUnavailableError(options.unavailableRetryAfterSeconds ?? 5, error);
      }
      if (!decision.allowed) {
        options.count('reject', dimensions);
        if (decision.source === 'cache') options.count('local_reject', dimensions);
        throw new QuotaExceededError(rateLimitHeaders(decision));
      }
      options.count('allow', dimensions);
      return rateLimitHeaders(decision);
    },
  };
};
