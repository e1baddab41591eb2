/**
 * The scheduled authenticated health probe (EventBridge Scheduler, every 5 minutes). Not an HTTP route:
 * it calls the stage's own `GET /health/full` with a health-role API key read from Secrets Manager and
 * emits `HealthFullOk` (1 or 0) and `HealthFullLatency` (ms), which the `health-full` alarms watch.
 */
import { randomUUID } from 'node:crypto';
import { emfLine } from '../../shared/adapters/metrics/emf-counters.js';
import { createSecretsManagerClient } from '../../shared/adapters/secrets/create-secrets-manager-client.js';
import { secretsManagerSecretStore } from '../../shared/adapters/secrets/secrets-manager-secret-store.js';
import { readRuntimeConfig } from '../../shared/config/read-runtime-config.js';
import { systemClock } from '../../shared/domain/clock.js';
import { probeFullHealth } from '../../shared/domain/health/probe-full-health.js';
import { createLogger } from '../../shared/logging/create-logger.js';
import { requireSetting } from '../../shared/runtime/require-setting.js';

const config = readRuntimeConfig();
const baseUrl = requireSetting('HEALTH_PROBE_URL', config.operations.healthProbeUrl);
const secretArn = requireSetting('HEALTH_PROBE_SECRET_ARN', config.operations.healthProbeSecretArn);
const secrets = secretsManagerSecretStore(
  createSecretsManagerClient({ region: config.awsRegion, attemptMs: config.rateLimit.timeoutMs }),
);
const logger = createLogger(config.logLevel);

export const handler = async (): Promise<{ ok: boolean }> => {
  const result = await probeFullHealth({
    baseUrl: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`,
    apiKey: async () => {
      const value = (await secrets.getSecretJson(secretArn)).api_key;
      return typeof value === 'string' && value.startsWith('bwk_') ? value : undefined;
    },
    apiKeyHeader: config.auth.header,
    fetch,
    clock: systemClock,
    timeoutMs: 10_000,
    newId: randomUUID,
  });
  const nowMs = Date.now();
  const dimensions = { probe: 'health-full' };
  process.stdout.write(`${emfLine('HealthFullOk', dimensions, nowMs, result.ok ? 1 : 0)}\n`);
  process.stdout.write(
    `${emfLine('HealthFullLatency', dimensions, nowMs, result.latencyMs, 'Milliseconds')}\n`,
  );
  const fields = {
    request_id: result.requestId,
    status: result.status,
    reason: result.reason,
    latency_ms: result.latencyMs,
  };
  if (result.ok) logger.info('health probe ok', fields);
  else logger.error('health probe failed', fields);
  return { ok: result.ok };
};
