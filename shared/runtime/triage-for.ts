import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { localStandInCredentials, signedJsonClient } from '../adapters/aws/signed-json-call.js';
import { bedrockConverseModel } from '../adapters/bedrock/bedrock-converse-model.js';
import { insightsLogSource } from '../adapters/logs/insights-log-source.js';
import { localLogSource } from '../adapters/logs/local-log-source.js';
import { runtimeSettings } from '../config/runtime-settings.js';
import { TRIAGE_MODEL_DEPENDENCY } from '../domain/breaker/breaker-dependencies.js';
import type { LastGoodCache } from '../domain/breaker/breaker-state-store.js';
import type { CircuitBreakerOptions } from '../domain/breaker/circuit-breaker.js';
import { summarizeErrors, type TriageReport } from '../domain/triage/summarize-errors.js';
import type { ErrorLogSource } from '../domain/triage/triage-ports.js';
import { ConfigurationError } from '../errors/configuration-error.js';
import { redactPairs } from '../logging/redact-pairs.js';
import { createRedactor } from '../logging/redact-sensitive.js';
import { breakerFor, breakerStoresFor } from './breakers-for.js';
import { redactionOf } from './create-runtime.js';
import { perRuntime } from './per-runtime.js';
import type { Runtime } from './runtime.js';

/** The model provider's breaker: three failures in a row open it for 30 s, doubling per failed probe. */
export const triageBreakerOptions = (modelTimeoutMs: number): CircuitBreakerOptions => ({
  dependency: TRIAGE_MODEL_DEPENDENCY,
  failureThreshold: 3,
  coolDownMs: 30_000,
  maxCoolDownMs: 5 * 60_000,
  callTimeoutMs: modelTimeoutMs,
  sharedReadIntervalMs: 5_000,
});

/** Budget of the log query: Insights usually answers in one to three seconds for one window. */
export const triageSourceTimeoutMs = 4_000;

/** The log group names Logs Insights reads: each TRIAGE_LOG_GROUPS entry after TRIAGE_LOG_GROUP_PREFIX. */
export const triageLogGroupNames = (triage: Runtime['config']['triage']): string[] =>
  (triage.logGroups ?? []).map((group) => `${triage.logGroupPrefix}${group}`);

const sourceOf = (runtime: Runtime): ErrorLogSource => {
  const { triage, awsRegion } = runtime.config;
  if (triage.localLogDirectory !== undefined) return localLogSource(triage.localLogDirectory);
  const logGroups = triageLogGroupNames(triage);
  if (logGroups.length === 0) {
    throw new ConfigurationError(
      runtimeSettings.triage.logGroups.variable,
      'is required by this function (or TRIAGE_LOCAL_LOG_DIR in local runs)',
    );
  }
  const call = signedJsonClient({
    service: 'logs',
    region: awsRegion,
    endpoint: `https://logs.${awsRegion}.amazonaws.com`,
    credentials: defaultProvider(),
  });
  return insightsLogSource(logGroups, call);
};

/**
 * The triage use case of POST /debug/summarize-errors, once per process: the log source (Logs Insights
 * when deployed, `npm start`'s files locally), the redactor with the deployment's settings, and, when
 * TRIAGE_MODEL_ID is set, the Converse model behind the `triage-model` breaker with its last good answers.
 */
export const triageFor = perRuntime((runtime) => {
  const { config } = runtime;
  // The digest a model reads gets the pair pass too (a credential-named value inside a message).
  const redactor = createRedactor({ ...redactionOf(config), pairs: redactPairs });
  const source = sourceOf(runtime);
  const { modelId, bedrockEndpoint, modelTimeoutMs, cacheMaxAgeSeconds } = config.triage;
  if (modelId === '') {
    return summarizeErrors({
      source,
      redactor,
      clock: runtime.clock,
      sourceTimeoutMs: triageSourceTimeoutMs,
    });
  }
  const call = signedJsonClient({
    service: 'bedrock',
    region: config.awsRegion,
    endpoint: bedrockEndpoint ?? `https://bedrock-runtime.${config.awsRegion}.amazonaws.com`,
    credentials: bedrockEndpoint === undefined ? defaultProvider() : localStandInCredentials,
  });
  const breaker = breakerFor(runtime, triageBreakerOptions(modelTimeoutMs));
  return summarizeErrors({
    source,
    redactor,
    clock: runtime.clock,
    sourceTimeoutMs: triageSourceTimeoutMs,
    model: {
      model: bedrockConverseModel(modelId, call),
      cacheMaxAgeMs: cacheMaxAgeSeconds * 1000,
      lastGood: {
        breaker,
        cache: breakerStoresFor(runtime).lastGood as LastGoodCache<TriageReport>,
        clock: runtime.clock,
        onFallbackServed: (reason) =>
          runtime.counters.count('breaker_fallback_served', { dependency: breaker.dependency, reason }),
        onCacheError: (operation, error) =>
          runtime.logger.warn('last good answer cache unavailable', {
            dependency: breaker.dependency,
            operation,
            error_name: error instanceof Error ? error.name : typeof error,
          }),
      },
    },
  });
});
