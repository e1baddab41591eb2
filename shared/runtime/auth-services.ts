import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { createDynamoDbClient } from '../adapters/dynamodb/create-dynamodb-client.js';
import { dynamoDbApiKeyStore } from '../adapters/dynamodb/dynamodb-api-key-store.js';
import { dynamoDbLoginThrottleStore } from '../adapters/dynamodb/dynamodb-login-throttle-store.js';
import { dynamoDbSessionStore } from '../adapters/dynamodb/dynamodb-session-store.js';
import { dynamoDbUsersRepository } from '../adapters/dynamodb/dynamodb-users-repository.js';
import { type Counters, emfCounters } from '../adapters/metrics/emf-counters.js';
import { assertStrongSecret } from '../auth/assert-strong-secret.js';
import { accessTokenSettings } from '../auth/tokens/access-token-settings.js';
import { type AccessTokenIssuer, createAccessTokenIssuer } from '../auth/tokens/issue-access-token.js';
import { signingKeySetFrom } from '../auth/tokens/load-signing-key-set.js';
import {
  freshVerificationKeySetFrom,
  verificationKeySetFrom,
} from '../auth/tokens/load-verification-key-set.js';
import { assertProductionSigningKeys, type SigningKeySet } from '../auth/tokens/signing-key-set.js';
import {
  assertProductionVerificationKeys,
  type VerificationKeySet,
} from '../auth/tokens/verification-key-set.js';
import { type AccessTokenVerifier, createAccessTokenVerifier } from '../auth/tokens/verify-access-token.js';
import { ConfigurationError } from '../config/configuration-error.js';
import type { ApiKeyStore } from '../domain/api-keys/api-key-store.js';
import { type ApiKeys, createApiKeys } from '../domain/api-keys/create-api-keys.js';
import { createLoginThrottle, type LoginThrottle } from '../domain/login-throttle/login-throttle.js';
import {
  defaultAccountAtClientIpPolicy,
  defaultAccountPolicy,
  defaultClientIpPolicy,
} from '../domain/login-throttle/login-throttle-policy.js';
import type { LoginThrottleStore } from '../domain/login-throttle/login-throttle-store.js';
import { createRefreshSessions, type RefreshSessions } from '../domain/sessions/refresh-sessions.js';
import type { SessionStore } from '../domain/sessions/session-store.js';
import type { UsersRepository } from '../domain/users/users-repository.js';
import { secretDefinitions } from '../tables/secret-definitions.js';
import { tableDefinitions } from '../tables/table-definitions.js';
import { requireSetting } from './require-setting.js';
import type { Runtime } from './runtime.js';

/** Stores the authentication services use; tests pass in-memory ones, functions get DynamoDB's. */
export interface AuthStores {
  readonly users?: UsersRepository;
  readonly apiKeys?: ApiKeyStore;
  readonly sessions?: SessionStore;
  readonly loginThrottle?: LoginThrottleStore;
}

export interface AuthServices {
  /** The private set: only the issuers (login, refresh-token) have the variable and the grant. */
  readonly signingKeys: () => Promise<SigningKeySet>;
  /** The public set: what verifiers and the JWKS route read. */
  readonly verificationKeys: () => Promise<VerificationKeySet>;
  readonly tokenIssuer: () => AccessTokenIssuer;
  readonly tokenVerifier: () => AccessTokenVerifier;
  readonly apiKeys: () => ApiKeys;
  readonly pepper: () => Promise<string>;
  readonly sessions: () => RefreshSessions;
  readonly users: () => UsersRepository;
  readonly loginThrottle: () => LoginThrottle;
  readonly counters: Counters;
  /** Cold-start checks: loads the secrets a function uses and, in production, refuses weak ones. */
  readonly assertSecrets: (which: {
    readonly signingKeys?: boolean;
    readonly verificationKeys?: boolean;
    readonly pepper?: boolean;
  }) => Promise<void>;
}

const servicesByRuntime = new WeakMap<Runtime, AuthServices>();

const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
};

/**
 * The authentication services of one process, built on first use from the runtime configuration, so a
 * function that never issues tokens never needs the session table and vice versa. A setting missing
 * where it is needed fails at cold start, naming the variable.
 */
export const authServices = (
  runtime: Runtime,
  stores: AuthStores = runtime.authStores ?? {},
): AuthServices => {
  const existing = servicesByRuntime.get(runtime);
  if (existing !== undefined) return existing;
  const { config, clock, secretStore } = runtime;
  const table = (id: keyof typeof tableDefinitions, value: string | undefined): string =>
    requireSetting(tableDefinitions[id].environmentVariable, value);
  const counters = emfCounters();

  const signingSecretArn = once(() =>
    requireSetting(secretDefinitions.jwtSigningKeys.environmentVariable, config.tokens.signingSecretArn),
  );
  const signingKeys = once(() => signingKeySetFrom(secretStore, signingSecretArn()));
  // Verifiers read only the public set, so a function that verifies never holds (or may read) the key
  // that signs: code execution there cannot mint tokens (ADR 0006).
  const verificationSecretArn = once(() =>
    requireSetting(
      secretDefinitions.jwtVerificationKeys.environmentVariable,
      config.tokens.verificationSecretArn,
    ),
  );
  const verificationKeys = once(() => verificationKeySetFrom(secretStore, verificationSecretArn()));
  const settings = once(() =>
    accessTokenSettings({
      issuer: config.tokens.issuer,
      audience: config.tokens.audience,
      lifetimeSeconds: config.tokens.accessTokenTtlSeconds,
    }),
  );
  const pepper = async (): Promise<string> => {
    const definition = secretDefinitions.apiKeyPepper;
    const arn = requireSetting(definition.environmentVariable, config.apiKeyPepperSecretArn);
    const value = (await secretStore.getSecretJson(arn))[
      definition.content.kind === 'random-string' ? definition.content.jsonKey : 'pepper'
    ];
    if (typeof value !== 'string')
      throw new ConfigurationError(definition.environmentVariable, 'secret has no pepper');
    return value;
  };
  const users = once(
    () => stores.users ?? dynamoDbUsersRepository(runtime.dynamoDb(), table('users', config.usersTableName)),
  );

  const services: AuthServices = {
    signingKeys: () => signingKeys()(),
    verificationKeys: () => verificationKeys()(),
    tokenIssuer: once(() =>
      createAccessTokenIssuer({ keys: signingKeys(), settings: settings(), clock, newId: randomUUID }),
    ),
    tokenVerifier: once(() =>
      createAccessTokenVerifier({
        keys: verificationKeys(),
        refreshKeys: freshVerificationKeySetFrom(secretStore, verificationSecretArn()),
        settings: settings(),
        clock,
      }),
    ),
    pepper,
    apiKeys: once(() =>
      createApiKeys({
        store:
          stores.apiKeys ??
          dynamoDbApiKeyStore(runtime.dynamoDb(), table('apiKeys', config.apiKeysTableName)),
        pepper,
        clock,
      }),
    ),
    sessions: once(() =>
      createRefreshSessions({
        store:
          stores.sessions ??
          dynamoDbSessionStore(runtime.dynamoDb(), table('sessions', config.sessionsTableName)),
        clock,
        settings: {
          absoluteLifetimeSeconds: config.tokens.refreshSessionTtlSeconds,
          reuseGraceSeconds: config.tokens.refreshReuseGraceSeconds,
          accessTokenLifetimeSeconds: config.tokens.accessTokenTtlSeconds,
        },
        onReuseDetected: () => counters.count('refresh_reuse_detected', {}),
      }),
    ),
    users,
    loginThrottle: once(() =>
      createLoginThrottle({
        store:
          stores.loginThrottle ??
          dynamoDbLoginThrottleStore(
            createDynamoDbClient({
              region: config.awsRegion,
              endpoint: config.dynamoDbEndpoint,
              maxAttempts: 2,
              requestTimeoutMs: config.rateLimit.timeoutMs,
              connectionTimeoutMs: config.rateLimit.timeoutMs,
            }),
            table('rateLimits', config.rateLimit.tableName),
          ),
        clock,
        accountPolicy: defaultAccountPolicy,
        clientIpPolicy: defaultClientIpPolicy,
        accountAtClientIpPolicy: defaultAccountAtClientIpPolicy,
        newAttemptId: randomUUID,
      }),
    ),
    counters,
    assertSecrets: async (which) => {
      if (which.signingKeys === true) {
        const set = await signingKeys()();
        if (config.environment === 'production') {
          assertProductionSigningKeys(set, secretDefinitions.jwtSigningKeys.environmentVariable);
        }
      }
      if (which.verificationKeys === true) {
        const set = await verificationKeys()();
        if (config.environment === 'production') {
          assertProductionVerificationKeys(set, secretDefinitions.jwtVerificationKeys.environmentVariable);
        }
      }
      if (which.pepper === true) {
        const value = await pepper();
        if (config.environment === 'production') {
          assertStrongSecret(secretDefinitions.apiKeyPepper.environmentVariable, value);
        }
      }
    },
  };
  servicesByRuntime.set(runtime, services);
  return services;
};

/** bcrypt of a random password at the configured cost: what an unknown user's login compares against. */
export const dummyPasswordHash = (cost: number): Promise<string> => bcrypt.hash(randomUUID(), cost);
