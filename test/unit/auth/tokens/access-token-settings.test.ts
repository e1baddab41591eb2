import { describe, expect, it } from 'vitest';
import {
  accessTokenSettings,
  defaultAccessTokenSettings,
} from '../../../../shared/auth/tokens/access-token-settings.js';
import { ConfigurationError } from '../../../../shared/errors/configuration-error.js';

const required = { issuer: 'https://auth.bulwark.test', audience: 'https://api.bulwark.test' };

describe('accessTokenSettings', () => {
  it('defaults to a 10-minute lifetime, 5 s tolerance and 4096-byte tokens', () => {
    expect(defaultAccessTokenSettings).toStrictEqual({
      lifetimeSeconds: 600,
      clockToleranceSeconds: 5,
      maxTokenBytes: 4096,
    });
    expect(accessTokenSettings(required)).toStrictEqual({ ...required, ...defaultAccessTokenSettings });
  });

  it('ignores undefined overrides rather than turning them into missing values', () => {
    expect(accessTokenSettings({ ...required, lifetimeSeconds: undefined }).lifetimeSeconds).toBe(600);
  });

  it.each([
    ['lifetimeSeconds', 59],
    ['lifetimeSeconds', 3601],
    ['lifetimeSeconds', 600.5],
    ['clockToleranceSeconds', -1],
    ['clockToleranceSeconds', 6],
    ['maxTokenBytes', 100],
  ] as const)('refuses %s = %s, naming the setting', (name, value) => {
    expect(() => accessTokenSettings({ ...required, [name]: value })).toThrow(ConfigurationError);
    expect(() => accessTokenSettings({ ...required, [name]: value })).toThrow(`accessTokenSettings.${name}`);
  });

  it('accepts the bounds: 60 s to 1 hour, tolerance 0 to 5 s', () => {
    expect(
      accessTokenSettings({ ...required, lifetimeSeconds: 60, clockToleranceSeconds: 0 }).lifetimeSeconds,
    ).toBe(60);
    expect(
      accessTokenSettings({ ...required, lifetimeSeconds: 3600, clockToleranceSeconds: 5 }).lifetimeSeconds,
    ).toBe(3600);
  });

  it('refuses a missing or empty issuer or audience, and unknown options', () => {
    expect(() => accessTokenSettings({ ...required, issuer: '' })).toThrow('accessTokenSettings.issuer');
    expect(() => accessTokenSettings({ issuer: required.issuer } as never)).toThrow(
      'accessTokenSettings.audience',
    );
    expect(() => accessTokenSettings({ ...required, leeway: 30 } as never)).toThrow(ConfigurationError);
  });
});
