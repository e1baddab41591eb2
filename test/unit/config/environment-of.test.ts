import { describe, expect, it } from 'vitest';
import { environmentOf, type StageRuntimeValues } from '../../../shared/config/environment-of.js';
import { parseRuntimeConfig, runtimeVariableNames } from '../../../shared/config/runtime-config.js';
import { settingsOf } from '../../../shared/config/runtime-setting.js';
import { runtimeSettings } from '../../../shared/config/runtime-settings.js';
import { defaultOf } from '../../../shared/config/setting-parser.js';

const values: StageRuntimeValues = {
  environment: 'production',
  auth: { strategy: 'jwt_or_api_key', header: 'x-team-key' },
  bodyMaxBytes: 2048,
  cors: {
    enabled: true,
    allowOrigins: ['https://a.example.com', 'https://b.example.com'],
    maxAgeSeconds: 60,
  },
  trustedHosts: ['api.example.com', '*.example.net:8443'],
  trustProxyHops: 2,
  logLevel: 'warn',
  rateLimit: { defaultRequests: 7, defaultWindowSeconds: 30, failureMode: 'fail-closed', timeoutMs: 250 },
  passwordBcryptCost: 12,
  tokens: { issuer: 'https://api.example.com', accessTokenTtlSeconds: 300 },
};

describe('environmentOf', () => {
  it('gives the functions exactly the stage values back: the CDK stack and the parser share one table', () => {
    const config = parseRuntimeConfig(environmentOf(values));
    expect(config).toMatchObject(values);
  });

  it('writes a variable only for what the stage sets, so the rest keep the functions’ defaults', () => {
    expect(environmentOf({ bodyMaxBytes: 1024 })).toEqual({ API_BODY_MAX_BYTES: '1024' });
    expect(environmentOf({})).toEqual({});
  });

  it('never writes what the infrastructure, the platform or local runs set', () => {
    const stageVariables = new Set(Object.keys(environmentOf(values)));
    for (const { setting } of settingsOf(runtimeSettings)) {
      if (setting.setBy !== 'stage') expect(stageVariables.has(setting.variable)).toBe(false);
    }
  });
});

describe('the settings table', () => {
  it('declares every variable once', () => {
    expect(new Set(runtimeVariableNames).size).toBe(runtimeVariableNames.length);
  });

  it('gives every stage setting a default, so a stage may leave any of them unset', () => {
    const unsetStageSettings = settingsOf(runtimeSettings).filter(
      ({ setting }) => setting.setBy === 'stage' && defaultOf(setting.parser) === undefined,
    );
    expect(unsetStageSettings.map(({ setting }) => setting.variable)).toEqual([]);
  });
});
