import { ConfigurationError } from '../errors/configuration-error.js';
import { type ConfigOf, settingsOf } from './runtime-setting.js';
import { type authStrategies, type environments, runtimeSettings } from './runtime-settings.js';

export type Environment = (typeof environments)[number];
export type AuthStrategy = (typeof authStrategies)[number];
export type { LogLevel } from '../logging/log-level.js';

/** Every runtime setting as a typed value, in the shape `runtimeSettings` declares. */
export type RuntimeConfig = ConfigOf<typeof runtimeSettings>;

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
};

const { cors, rateLimit } = runtimeSettings;

/** Rules that only make sense across settings, and the production refusals. */
const assertSafe = (config: RuntimeConfig): void => {
  if (config.cors.allowOrigins.includes('*') && config.cors.allowOrigins.length > 1) {
    throw new ConfigurationError(cors.allowOrigins.variable, '"*" cannot be combined with other origins');
  }
  if (config.environment !== 'production') return;

  if (config.auth.strategy === 'disabled') {
    throw new ConfigurationError(
      runtimeSettings.auth.strategy.variable,
      '"disabled" is refused in production',
    );
  }
  if (config.cors.enabled && config.cors.allowOrigins.length === 0) {
    throw new ConfigurationError(
      cors.allowOrigins.variable,
      `is empty while ${cors.enabled.variable}=true; list the allowed origins or set ${cors.enabled.variable}=false`,
    );
  }
  if (config.cors.enabled && config.cors.allowOrigins.includes('*')) {
    throw new ConfigurationError(cors.allowOrigins.variable, 'the wildcard "*" is refused in production');
  }
  if (config.logLevel === 'debug') {
    throw new ConfigurationError(
      runtimeSettings.logLevel.variable,
      '"debug" is refused in production (it can leak request metadata)',
    );
  }
  // The API's limiter and the realtime gateway's need the same acknowledgement to fail open.
  for (const [mode, setting] of [
    [config.rateLimit.failureMode, rateLimit.failureMode],
    [config.realtime.limiterFailureMode, runtimeSettings.realtime.limiterFailureMode],
  ] as const) {
    if (mode === 'fail-open' && !config.rateLimit.failOpenAcknowledged) {
      throw new ConfigurationError(
        setting.variable,
        `"fail-open" in production needs ${rateLimit.failOpenAcknowledged.variable}=true (a temporary, change-controlled degraded mode)`,
      );
    }
  }
  if (config.realtime.url?.startsWith('ws:') === true) {
    throw new ConfigurationError(runtimeSettings.realtime.url.variable, 'must be wss:// in production');
  }
  if (config.realtime.callbackUrl?.startsWith('http:') === true) {
    throw new ConfigurationError(
      runtimeSettings.realtime.callbackUrl.variable,
      'must be https:// in production',
    );
  }
  const localOnly = [
    [runtimeSettings.dynamoDbEndpoint.variable, config.dynamoDbEndpoint],
    [runtimeSettings.localSecretsFile.variable, config.localSecretsFile],
    [runtimeSettings.triage.bedrockEndpoint.variable, config.triage.bedrockEndpoint],
    [runtimeSettings.triage.localLogDirectory.variable, config.triage.localLogDirectory],
  ] as const;
  for (const [variable, value] of localOnly) {
    if (value !== undefined)
      throw new ConfigurationError(variable, 'is for local runs and is refused in production');
  }
};

const setAt = (target: Record<string, unknown>, path: readonly string[], value: unknown): void => {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] ?? ''] = value;
};

/**
 * Parses the runtime environment once, at cold start. Throws a ConfigurationError naming the first
 * offending variable (in declaration order); never echoes the value, which may be a secret pasted into
 * the wrong place.
 */
export const parseRuntimeConfig = (source: Readonly<Record<string, string | undefined>>): RuntimeConfig => {
  // On Lambda a missing ENVIRONMENT must not quietly mean `development` and switch off every refusal.
  if (source.AWS_LAMBDA_FUNCTION_NAME !== undefined && (source.ENVIRONMENT ?? '').trim() === '') {
    throw new ConfigurationError('ENVIRONMENT', 'is required on Lambda (development, test or production)');
  }
  const config: Record<string, unknown> = {};
  for (const { path, setting } of settingsOf(runtimeSettings)) {
    const text = source[setting.variable]?.trim();
    const parsed = setting.parser.parse(text === '' ? undefined : text);
    if (!parsed.ok) throw new ConfigurationError(setting.variable, parsed.message);
    setAt(config, path, parsed.value);
  }
  const typed = config as RuntimeConfig;
  assertSafe(typed);
  return deepFreeze(typed);
};

/** Names of the variables the settings read, for documentation tests and the local stack. */
export const runtimeVariableNames: readonly string[] = Object.freeze(
  settingsOf(runtimeSettings).map(({ setting }) => setting.variable),
);
