import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CounterTally } from '../adapters/metrics/counter-tally.js';
import type { Counters } from '../adapters/metrics/emf-counters.js';
import type { RuntimeConfig } from '../config/runtime-config.js';
import type { ApiKeyRotationStore, ApiKeyStore } from '../domain/api-keys/api-key-store.js';

import type { BreakerStateStore, LastGoodCache } from '../domain/breaker/breaker-state-store.js';
import type { Clock } from '../domain/clock.js';
import type { GuardrailEventSink } from '../domain/guardrails/guardrails.js';
import type { LoginThrottleStore } from '../domain/login-throttle/login-throttle-store.js';
import type { RateLimitStore } from '../domain/rate-limit/rate-limit-store.js';
import type { ConnectionGateway } from '../domain/realtime/connection-gateway.js';
import type { RealtimeStore } from '../domain/realtime/realtime-store.js';
import type { SecretMetadataSource, SecretStore } from '../domain/secret-store.js';
import type { SessionStore } from '../domain/sessions/session-store.js';
import type { UsersRepository } from '../domain/users/users-repository.js';

/** The ports whose DynamoDB adapters a runtime builds unless it is given others (tests, the bench). */
export interface Stores {
  readonly apiKeys: ApiKeyStore & ApiKeyRotationStore;
  readonly sessions: SessionStore;
  readonly users: UsersRepository;
  readonly loginThrottle: LoginThrottleStore;
  readonly rateLimits: RateLimitStore;
  /** Where guard-rail events go instead of EventBridge or the log (tests). */
  readonly guardrailEvents: GuardrailEventSink;
  /** Secret rotation metadata instead of Secrets Manager's DescribeSecret or the local stand-in (tests). */
  readonly secretMetadata: SecretMetadataSource;

  /** Shared circuit-breaker state and last good answers (the breakers table). */
  readonly breakerStates: BreakerStateStore;
  readonly lastGood: LastGoodCache<unknown>;
  readonly realtime: RealtimeStore;
  /** The WebSocket management API (`@connections`); not a table, but a port tests replace the same way. */
  readonly connections: ConnectionGateway;
}

/**
 * Everything a function needs from its environment, built once per process by createRuntime(). A plain
 * context object: capabilities (token verifier, API keys, sessions, ...) are built from it by their own
 * `...For(runtime)` builders, so a function loads only the ones its route uses.
 */
export interface Runtime {
  readonly config: RuntimeConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly secretStore: SecretStore;
  /**
   * The request path's DynamoDB client, created on first use: two attempts of
   * SECURITY_LIMITER_TIMEOUT_MS each, the whole call aborted after both.
   */
  readonly dynamoDb: () => DynamoDBClient;
  /**
   * The Secrets Manager client `secretStore` reads through, when it is Secrets Manager (Lambda): other
   * Secrets Manager calls (GET /health/full's DescribeSecret) reuse it, its connection included.
   */
  readonly secretsManager?: () => SecretsManagerClient;
  /** EMF counters, namespace Bulwark. */
  readonly counters: Counters;
  /** What `counters` counted in this process (GET /health/full's limiter outcomes). */
  readonly tally: CounterTally;
  /** Stores given instead of the DynamoDB adapters; empty on Lambda and in `npm start`. */
  readonly stores: Partial<Stores>;
  /** Fresh random ids (token ids, login attempts). */
  readonly newId: () => string;
}
