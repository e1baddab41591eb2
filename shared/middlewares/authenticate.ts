import type { ApiKeyRateLimit, Principal } from '../auth/principal.js';
import type { AuthStrategy } from '../config/runtime-config.js';
import { isUnlimitedInEffect } from '../domain/api-keys/api-key.js';
import type { Role } from '../domain/users/user.js';
import { CredentialsInvalidError, CredentialsMissingError } from '../errors/auth-errors.js';
import { BulwarkError } from '../errors/bulwark-error.js';
import {
  type ApiKeyProof,
  headerValuesOf,
  type SecureMiddleware,
  type SecureRequest,
} from '../http/secure-request.js';
import { AUTHENTICATION_FAILED_MESSAGE } from '../logging/log-messages.js';

export interface VerifiedAccessToken {
  readonly sub: string;
  readonly sid: string;
  readonly jti: string;
  readonly username: string;
  readonly roles: readonly Role[];
}

export interface VerifiedApiKeyIdentity {
  readonly keyId: string;
  readonly roles: readonly Role[];
  readonly rateLimit: ApiKeyRateLimit;
}

/** A key verified from a record the rate limiter will prove current (ADR 0005). */
export interface ProvableApiKeyIdentity extends VerifiedApiKeyIdentity {
  readonly version: number;
  /** The record came from the instance's cache rather than a read. */
  readonly fromCache: boolean;
}

export interface AuthenticationMetrics {
  readonly count: (
    metric: 'auth_failure' | 'api_key_unlimited_used',
    dimensions: { readonly route: string },
  ) => void;
}

export interface AuthenticateOptions {
  readonly strategy: AuthStrategy;
  readonly routeId: string;
  readonly apiKeyHeader: string;
  /** Required for `jwt` and `jwt_or_api_key`. */
  readonly verifyAccessToken?: (token: string) => Promise<VerifiedAccessToken>;
  /** Required for `api_key` and `jwt_or_api_key`. */
  readonly verifyApiKey?: (credential: string) => Promise<VerifiedApiKeyIdentity>;
  /**
   * Only when a rate limit follows: verifies a key from the record this instance may have cached
   * (`fresh`: from a read), and leaves the proof that the record is current to the limiter's write,
   * which keeps the key's state on that record (ADR 0005). Takes the place of verifyApiKey, so an
   * API-key request costs that one write. Without it every key is verified by a read.
   */
  readonly verifyProvableApiKey?: (credential: string, fresh: boolean) => Promise<ProvableApiKeyIdentity>;
  /** The revocation marker of a session, proven absent by the rate limiter's write. */
  readonly sessionRevocationKey: (sessionId: string) => string;
  readonly metrics: AuthenticationMetrics;
  /**
   * Runs before a 401 is thrown and may throw instead (429): requests that fail authentication count
   * against the client address's limit, so guessing credentials is rate limited like any anonymous call.
   */
  readonly limitFailure?: (request: SecureRequest) => Promise<void>;
  /** Raises the guard rail for an unlimited key's use (a `HealthChanged` event); must never throw. */
  readonly onUnlimitedKeyUsed?: (keyId: string) => Promise<void>;
}

const bearerPattern = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)$/i;

const required = <T>(value: T | undefined, name: string): T => {
  if (value === undefined) throw new TypeError(`${name} is required`);
  return value;
};

/**
 * Establishes the principal or throws 401. With `jwt_or_api_key` a request carries exactly one
 * credential: an access token in `Authorization: Bearer` or an API key in the API key header.
 * `disabled` (refused in production) admits every request as a development admin and says so.
 */
export const authenticate = (options: AuthenticateOptions): SecureMiddleware => {
  const acceptsTokens = options.strategy === 'jwt' || options.strategy === 'jwt_or_api_key';
  const acceptsKeys = options.strategy === 'api_key' || options.strategy === 'jwt_or_api_key';
  // Defined exactly when the strategy accepts that credential.
  const verifyAccessToken = acceptsTokens
    ? required(options.verifyAccessToken, 'verifyAccessToken')
    : undefined;
  const verifyApiKey = acceptsKeys ? required(options.verifyApiKey, 'verifyApiKey') : undefined;

  const keyPrincipal = (key: VerifiedApiKeyIdentity): Principal => ({
    kind: 'api_key',
    id: key.keyId,
    roles: key.roles,
    rateLimit: key.rateLimit,
  });

  /** Every refused credential: counted, logged, charged to the client address (may be 429), thrown. */
  const refuse = async (request: SecureRequest, error: unknown): Promise<never> => {
    const state = request.context.bulwark;
    state.principal = undefined;
    state.apiKeyProof = undefined;
    if (error instanceof BulwarkError && error.code === 'service-unavailable') throw error;
    options.metrics.count('auth_failure', { route: options.routeId });
    state.log.info(AUTHENTICATION_FAILED_MESSAGE, {
      reason:
        (error as { reason?: unknown }).reason ?? (error instanceof BulwarkError ? error.code : 'error'),
    });
    await options.limitFailure?.(request);
    throw error;
  };

  /** An unlimited key is allowed only when set explicitly, and it is a guard-rail breach every time. */
  const noteUnlimited = async (request: SecureRequest, principal: Principal): Promise<void> => {
    if (principal.kind === 'api_key' && isUnlimitedInEffect(principal.rateLimit)) {
      options.metrics.count('api_key_unlimited_used', { route: options.routeId });
      request.context.bulwark.log.warn('guard-rail breach: unlimited API key used', { key_id: principal.id });
      await options.onUnlimitedKeyUsed?.(principal.id);
    }
  };

  /** The principal and proof of a provable key; `refresh` verifies it again from a read. */
  const adoptProvable = (
    request: SecureRequest,
    credential: string,
    key: ProvableApiKeyIdentity,
    verify: NonNullable<AuthenticateOptions['verifyProvableApiKey']>,
  ): Principal => {
    const state = request.context.bulwark;
    const principal = keyPrincipal(key);
    state.principal = principal;
    const proof: ApiKeyProof = {
      keyId: key.keyId,
      version: key.version,
      fromCache: key.fromCache,
      refresh: async () => {
        let fresh: ProvableApiKeyIdentity;
        try {
          fresh = await verify(credential, true);
        } catch (error) {
          return refuse(request, error);
        }
        await noteUnlimited(request, adoptProvable(request, credential, fresh, verify));
      },
    };
    state.apiKeyProof = proof;
    return principal;
  };

  const identify = async (request: SecureRequest): Promise<{ principal: Principal; guards: string[] }> => {
    const authorizations = headerValuesOf(request, 'authorization');
    const apiKeys = headerValuesOf(request, options.apiKeyHeader);
    // Two header lines of one credential are ambiguous (a proxy may pick either); refuse, never choose.
    if (authorizations.length > 1 || apiKeys.length > 1)
      throw new CredentialsInvalidError('repeated_credential');
    const [authorization] = authorizations;
    const [apiKey] = apiKeys;
    const presentedToken = verifyAccessToken !== undefined && authorization !== undefined;
    const presentedKey = verifyApiKey !== undefined && apiKey !== undefined && apiKey.length > 0;
    if (presentedToken && presentedKey) throw new CredentialsInvalidError('two_credentials');
    if (presentedToken) {
      const token = bearerPattern.exec(authorization)?.[1];
      if (token === undefined) throw new CredentialsInvalidError('authorization_scheme');
      const claims = await verifyAccessToken(token);
      return {
        principal: {
          kind: 'user',
          id: claims.sub,
          username: claims.username,
          roles: claims.roles,
          sessionId: claims.sid,
          tokenId: claims.jti,
        },
        guards: [options.sessionRevocationKey(claims.sid)],
      };
    }
    if (presentedKey && options.verifyProvableApiKey !== undefined) {
      const key = await options.verifyProvableApiKey(apiKey, false);
      return { principal: adoptProvable(request, apiKey, key, options.verifyProvableApiKey), guards: [] };
    }
    if (presentedKey) return { principal: keyPrincipal(await verifyApiKey(apiKey)), guards: [] };
    throw new CredentialsMissingError(acceptsKeys ? options.apiKeyHeader : undefined);
  };

  return {
    name: 'authenticate',
    before: async (request) => {
      const state = request.context.bulwark;
      if (options.strategy === 'disabled') {
        state.log.warn('authentication disabled: request accepted without a credential');
        state.principal = { kind: 'auth_disabled', id: 'auth-disabled', roles: ['admin'] };
        return;
      }
      const { principal, guards } = await identify(request).catch((error: unknown) => refuse(request, error));
      state.principal = principal;
      state.revocationGuards = guards;
      await noteUnlimited(request, principal);
    },
  };
};
