import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { runtimeEnvironment, stageConfig, stageNames } from '../../infra/config.js';
import { parseRuntimeConfig, runtimeVariableNames } from '../../shared/config/runtime-config.js';

/** The stack appends the API's own host name; a realistic one makes the parse below meaningful. */
const deployedEnvironment = (stage: string): Record<string, string> => {
  const environment = runtimeEnvironment(stageConfig(stage).runtime);
  const hosts = [environment.TRUSTED_HOSTS, 'abc123defg.execute-api.eu-west-1.amazonaws.com'].filter(Boolean);
  return { ...environment, TRUSTED_HOSTS: hosts.join(',') };
};

describe('stage configuration', () => {
  it('rejects an unknown stage with a message naming the valid ones', () => {
    expect(() => stageConfig('staging')).toThrow('Unknown stage "staging": expected one of dev, prod');
    expect(() => stageConfig('')).toThrow(/Unknown stage/);
  });

  it('runs dev as "development" and lets its data be destroyed', () => {
    const config = stageConfig('dev');
    expect(config.stageName).toBe('dev');
    expect(config.runtime.environment).toBe('development');
    expect(config.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(config.deletionProtection).toBe(false);
    expect(config.terminationProtection).toBe(false);
  });

  it('runs prod as "production", retaining and protecting its data', () => {
    const config = stageConfig('prod');
    expect(config.stageName).toBe('prod');
    expect(config.runtime.environment).toBe('production');
    expect(config.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(config.deletionProtection).toBe(true);
    expect(config.terminationProtection).toBe(true);
  });

  it.each(stageNames)('gives %s the agreed runtime defaults', (stage) => {
    const { runtime, throttling } = stageConfig(stage);
    expect(runtime).toMatchObject({
      auth: { strategy: 'jwt_or_api_key', header: 'x-api-key' },
      bodyMaxBytes: 65_536,
      trustProxyHops: 0,
      logLevel: 'info',
      passwordBcryptCost: 11,
    });
    expect(runtime.cors.enabled).toBe(true);
    expect(runtime.cors.allowOrigins.length).toBeGreaterThan(0);
    expect(throttling.burstLimit).toBeGreaterThanOrEqual(throttling.rateLimitPerSecond);
  });

  it.each(stageNames)('gives %s a WAF rate limit and alarm thresholds operators can tune', (stage) => {
    const { operations } = stageConfig(stage);
    expect(operations.waf.requestsPerIpPer5Minutes).toBe(2_000);
    expect(operations.alarms.functionErrorsPerMinute).toBeGreaterThanOrEqual(1);
    expect(operations.alarms.functionThrottlesPerMinute).toBeGreaterThanOrEqual(1);
    expect(operations.alarms.authFailuresPer5Minutes).toBeGreaterThan(0);
    expect(operations.alarms.serverErrorRatePercent).toBeGreaterThan(0);
    expect(operations.alarms.serverErrorRatePercent).toBeLessThanOrEqual(100);
  });

  it.each(stageNames)(
    'sizes %s by capacity class: login and refresh far below reads, admin lowest',
    (stage) => {
      const { capacity, functions, operations } = stageConfig(stage);
      const { credentials, standard, admin } = capacity.classes;
      expect(credentials.rateLimitPerSecond * 4).toBeLessThanOrEqual(standard.rateLimitPerSecond);
      expect(admin.rateLimitPerSecond).toBeLessThanOrEqual(credentials.rateLimitPerSecond);
      for (const settings of Object.values(capacity.classes)) {
        expect(settings.burstLimit).toBeGreaterThanOrEqual(settings.rateLimitPerSecond);
        expect(settings.reservedConcurrency).toBeGreaterThanOrEqual(1);
      }
      expect(functions.hashingMemorySizeMb).toBe(1024);
      expect(functions.memorySizeMb).toBe(512);
      expect(operations.waf.credentialRequestsPerIpPer5Minutes).toBeLessThan(
        operations.waf.requestsPerIpPer5Minutes,
      );
    },
  );

  it('holds prod to a stricter 5xx rate than dev and to fail-closed rate limiting', () => {
    const dev = stageConfig('dev').operations.alarms;
    const prod = stageConfig('prod');
    expect(prod.operations.alarms.serverErrorRatePercent).toBeLessThan(dev.serverErrorRatePercent);
    expect(prod.runtime.rateLimit.failureMode).toBe('fail-closed');
    expect(prod.runtime.realtime.limiterFailureMode).toBe('fail-closed');
  });

  it.each(stageNames)('emits only variables the runtime config reads (%s)', (stage) => {
    for (const name of Object.keys(runtimeEnvironment(stageConfig(stage).runtime))) {
      expect(runtimeVariableNames).toContain(name);
    }
  });

  it.each(stageNames)('produces a %s environment the functions accept at cold start', (stage) => {
    const parsed = parseRuntimeConfig(deployedEnvironment(stage));
    const { runtime } = stageConfig(stage);
    expect(parsed.environment).toBe(runtime.environment);
    expect(parsed.auth).toEqual({ strategy: 'jwt_or_api_key', header: runtime.auth.header });
    expect(parsed.cors.allowOrigins).toEqual(runtime.cors.allowOrigins);
    expect(parsed.passwordBcryptCost).toBe(11);
  });
});
