import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedSecretStore } from '../adapters/secrets/cached-secret-store.js';
import { createSecretsManagerClient } from '../adapters/secrets/create-secrets-manager-client.js';
import { localFileSecretStore } from '../adapters/secrets/local-file-secret-store.js';
import { secretsManagerSecretStore } from '../adapters/secrets/secrets-manager-secret-store.js';
import { readRuntimeConfig } from '../config/read-runtime-config.js';
import { systemClock } from '../domain/clock.js';
import type { SecretStore } from '../domain/secret-store.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

let runtime: Runtime | undefined;

/** The process-wide runtime of a Lambda function (or `npm start`), from the environment, on first call. */
export const loadRuntime = (): Runtime => {
  if (runtime !== undefined) return runtime;
  const config = readRuntimeConfig();
  let secretsManager: SecretsManagerClient | undefined;
  let inner: SecretStore;
  if (config.localSecretsFile === undefined) {
    secretsManager = createSecretsManagerClient({
      region: config.awsRegion,
      attemptMs: config.rateLimit.timeoutMs,
    });
    // Batched: a function's entry that lists two or more secrets is granted BatchGetSecretValue
    // (RouteFunction), and only such a function asks for two at once.
    inner = secretsManagerSecretStore(secretsManager, { batch: true });
  } else inner = localFileSecretStore(config.localSecretsFile);
  const client = secretsManager;
  runtime = createRuntime({
    config,
    secretStore: cachedSecretStore(inner, config.secretsCacheTtlSeconds, systemClock),
    ...(client === undefined ? {} : { secretsManager: () => client }),
  });
  runtime.logger.info('cold start', {
    environment: config.environment,
    auth_strategy: config.auth.strategy,
    cors_enabled: config.cors.enabled,
    trusted_hosts: config.trustedHosts.length,
    trust_proxy_hops: config.trustProxyHops,
  });
  return runtime;
};
