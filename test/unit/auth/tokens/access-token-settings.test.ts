import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../../shared/errors/configuration-error.js';
import { importFresh } from '../../../support/import-fresh.js';

type SettingsModule = typeof import('../../../../shared/auth/tokens/access-token-settings.js');
// Loaded afresh for each test, so the bounds and defaults (module constants) are mutation-tested too.
let accessTokenSettings: SettingsModule['accessTokenSettings'];
let defaultAccessTokenSettings: SettingsModule['defaultAccessTokenSettings'];
let ACCESS_TOKEN_TYPE: SettingsModule['ACCESS_TOKEN_TYPE'];
beforeEach(async () => {
  ({ accessTokenSettings, defaultAccessTokenSettings, ACCESS_TOKEN_TYPE } = await importFresh<SettingsModule>(
    new URL('../../../../shared/auth/tokens/access-token-settings.js', import.meta.url),
  ));
});

const required = { issuer: 'https://auth.bulwark.test', audience: 'https://api.bulwark.test' };

describe('ACCESS_TOKEN_TYPE', () => {
  it('is at+jwt, the typ RFC 9068 gives access tokens', () => {
    expect(ACCESS_TOKEN_TYPE).toBe('at+jwt');
  });
});

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
    ['maxTokenBytes', 16_385],
    ['maxTokenBytes', 1024.5],
  ] as const)('refuses %s = %s, naming the setting', (name, value) => {
    expect(() => accessTokenSettings({ ...required, [name]: value })).toThrow(ConfigurationError);
    expect(() => accessTokenSettings({ ...required, [name]: value })).toThrow(`accessTokenSettings.${name}`);
  });

  it('says why a value is refused', () => {
    expect(() => accessTokenSettings({ ...required, lifetimeSeconds: 59 })).toThrow(
      /^accessTokenSettings\.lifetimeSeconds: must be at least 60$/,
    );
  });

  it('accepts token sizes from 512 to 16384 bytes', () => {
    expect(accessTokenSettings({ ...required, maxTokenBytes: 512 }).maxTokenBytes).toBe(512);
    expect(accessTokenSettings({ ...required, maxTokenBytes: 16_384 }).maxTokenBytes).toBe(16_384);
    expect(() => accessTokenSettings({ ...required, maxTokenBytes: 511 })).toThrow(ConfigurationError);
  });

  it('refuses an issuer or audience longer than 256 characters', () => {
    expect(accessTokenSettings({ ...required, issuer: 'i'.repeat(256) }).issuer).toHaveLength(256);
    expect(() => accessTokenSettings({ ...required, issuer: 'i'.repeat(257) })).toThrow(
      'accessTokenSettings.issuer',
    );
    expect(() => accessTokenSettings({ ...required, audience: 'a'.repeat(257) })).toThrow(
      'accessTokenSettings.audience',
    );
  });

  it('returns settings and defaults that cannot be changed', () => {
    expect(Object.isFrozen(accessTokenSettings(required))).toBe(true);
    expect(Object.isFrozen(defaultAccessTokenSettings)).toBe(true);
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
