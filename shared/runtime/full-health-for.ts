import { probeTable } from '../adapters/dynamodb/dynamodb-table-probe.js';
import { createSecretsManagerClient } from '../adapters/secrets/create-secrets-manager-client.js';
import { localSecretMetadata } from '../adapters/secrets/local-secret-metadata.js';
import { secretsManagerSecretMetadata } from '../adapters/secrets/secrets-manager-secret-metadata.js';
import { isUnlimitedInEffect } from '../domain/api-keys/api-key.js';
import { breakerDependencies } from '../domain/breaker/breaker-dependencies.js';
import type { BreakerStatus, BreakerStatusUnknown } from '../domain/breaker/breaker-status.js';
import { type ComponentProbe, checkFullHealth, type FullHealthReport } from '../domain/health/full-health.js';
import type { SecretMetadataSource } from '../domain/secret-store.js';
import { secretDefinitions } from '../resources/secret-definitions.js';
import { type TableId, tableDefinitions } from '../resources/table-definitions.js';
import { apiKeysFor } from './api-keys-for.js';
import { breakerStatuses } from './breakers-for.js';
import { guardrailsFor } from './guardrails-for.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';
import type { Runtime } from './runtime.js';

/**
 * Component names: the backend and the table's role, never a table name or an ARN. The breakers table is
 * not probed: it holds no security state (a breaker that cannot read it fails to its own default). Nor is
 * the realtime table: only the realtime routes and the gateway use it, and /health/full's function is
 * granted none of it (the realtime alarms watch the gateway).
 */
const tableComponents: Readonly<Record<Exclude<TableId, 'apiKeys' | 'breakers' | 'realtime'>, string>> = {
  users: 'dynamodb:users',
  rateLimits: 'dynamodb:rate-limits',
  sessions: 'dynamodb:sessions',
};

/**
 * `GET /health/full`: every table (the API-key table through the scan that counts unlimited keys),
 * Secrets Manager (the verification keys read past the cache, the signing-key secret described), each
 * within twice SECURITY_LIMITER_TIMEOUT_MS; the limiter outcomes this process counted; guard-rail state.
 */
/** The report with each breaker's state beside it. */
export type FullHealthWithBreakers = FullHealthReport & {
  readonly breakers: readonly (BreakerStatus | BreakerStatusUnknown)[];
};

export const fullHealthFor = perRuntime((runtime: Runtime): (() => Promise<FullHealthWithBreakers>) => {
  const { config, secretStore } = runtime;
  const tableName = (id: Exclude<TableId, 'breakers' | 'realtime'>): string | undefined =>
    ({
      users: config.usersTableName,
      rateLimits: config.rateLimit.tableName,
      sessions: config.sessionsTableName,
      apiKeys: config.apiKeysTableName,
    })[id];
  const probes: ComponentProbe[] = (Object.keys(tableComponents) as (keyof typeof tableComponents)[]).map(
    (id) => ({
      name: tableComponents[id],
      check: async () =>
        probeTable(
          runtime.dynamoDb(),
          requireSetting(tableDefinitions[id].environmentVariable, tableName(id)),
          tableDefinitions[id].partitionKey.name,
        )(),
    }),
  );
  const verificationArn = () =>
    requireSetting(
      secretDefinitions.jwtVerificationKeys.environmentVariable,
      config.tokens.verificationSecretArn,
    );
  probes.push({
    name: 'secrets-manager',
    // Past the cache: a cached secret proves nothing about Secrets Manager now.
    check: async () => {
      await (secretStore.refreshSecretJson ?? secretStore.getSecretJson)(verificationArn());
    },
  });
  const metadata: SecretMetadataSource =
    runtime.stores.secretMetadata ??
    (config.localSecretsFile === undefined
      ? secretsManagerSecretMetadata(
          // The secret store's own client on Lambda: no second client, no second connection.
          runtime.secretsManager?.() ??
            createSecretsManagerClient({ region: config.awsRegion, attemptMs: config.rateLimit.timeoutMs }),
        )
      : localSecretMetadata());
  const failOpenInEffect = config.rateLimit.failureMode === 'fail-open';
  const guardrails = guardrailsFor(runtime);
  return async () => ({
    ...(await checkFullHealth({
      probes,
      budgetMs: 2 * config.rateLimit.timeoutMs + 100,
      clock: runtime.clock,
      version: config.operations.buildVersion,
      signingKeyRotation: () =>
        metadata.describeRotation(
          requireSetting(
            secretDefinitions.jwtSigningKeys.environmentVariable,
            config.tokens.signingSecretArn,
          ),
        ),
      unlimitedApiKeys: async () => {
        const keys = await apiKeysFor(runtime).apiKeys.list();
        const nowMs = runtime.clock.nowMs();
        return keys.filter(
          (key) =>
            !key.revoked &&
            (key.expires_at === null || Date.parse(key.expires_at) > nowMs) &&
            isUnlimitedInEffect(
              key.rate_limit === null || key.rate_limit === 'unlimited'
                ? (key.rate_limit ?? undefined)
                : { burst: key.rate_limit.burst, perSeconds: key.rate_limit.per_seconds },
            ),
        ).length;
      },
      failOpenInEffect,
      limiterOutcomes: runtime.tally,
      recentEvents: guardrails.recent,
      raise: guardrails.raise,
    })),
    // A breaker whose shared state cannot be read reports `unknown`: it never fails the health check.
    breakers: await breakerStatuses(runtime, breakerDependencies),
  });
});
