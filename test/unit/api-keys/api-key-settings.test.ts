/**
 * The settings an API key is issued or updated with, validated where they are written: name, roles,
 * rate limit (an own bucket within the ceilings, or the explicit 'unlimited') and expiry. The schemas are
 * built once per module, on first use, so the module is loaded afresh for each test
 * (test/support/import-fresh.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { fieldErrorsOf } from '../../../shared/errors/field-errors.js';
import { importFresh } from '../../support/import-fresh.js';

type SettingsModule = typeof import('../../../shared/domain/api-keys/api-key-settings.js');
let settings: ReturnType<SettingsModule['apiKeySettingsSchemas']>;
beforeEach(async () => {
  const module = await importFresh<SettingsModule>(
    new URL('../../../shared/domain/api-keys/api-key-settings.js', import.meta.url),
  );
  settings = module.apiKeySettingsSchemas();
});

const errorsOf = (schema: z.core.$ZodType, input: unknown) => {
  const result = z.safeParse(schema, input);
  return result.success ? [] : fieldErrorsOf(result.error, input);
};
const minimal = { name: 'ci', roles: ['user'] };
const averageMessage =
  'must average at most 1000 requests per second (burst / per_seconds); above that, ask for "unlimited"';

it('builds the schemas once, on first use', async () => {
  const module = await importFresh<SettingsModule>(
    new URL('../../../shared/domain/api-keys/api-key-settings.js', import.meta.url),
  );
  expect(module.apiKeySettingsSchemas()).toBe(module.apiKeySettingsSchemas());
});

describe('issueApiKeyInput', () => {
  it('accepts a minimal input and one with every field', () => {
    expect(settings.issueApiKeyInput.parse(minimal)).toEqual(minimal);
    const full = {
      name: 'n'.repeat(100),
      roles: ['user', 'admin'],
      rateLimit: { burst: 10_000, perSeconds: 10 },
      expiresAt: '2031-01-01T02:00:00+02:00',
    };
    expect(settings.issueApiKeyInput.parse(full)).toEqual(full);
    expect(settings.issueApiKeyInput.parse({ ...minimal, rateLimit: 'unlimited' }).rateLimit).toBe(
      'unlimited',
    );
  });

  it.each([
    ['an empty name', { ...minimal, name: '' }, '/name'],
    ['a name over 100 characters', { ...minimal, name: 'n'.repeat(101) }, '/name'],
    ['no roles', { ...minimal, roles: [] }, '/roles'],
    ['an unknown role', { ...minimal, roles: ['root'] }, '/roles/0'],
    ['an unknown field', { ...minimal, secret: 'mine' }, '/secret'],
    ['an expiry without a time', { ...minimal, expiresAt: '2031-01-01' }, '/expiresAt'],
    ['a burst of 0', { ...minimal, rateLimit: { burst: 0, perSeconds: 1 } }, '/rateLimit/burst'],
    [
      'a burst over 10,000',
      { ...minimal, rateLimit: { burst: 10_001, perSeconds: 3600 } },
      '/rateLimit/burst',
    ],
    ['a period of 0', { ...minimal, rateLimit: { burst: 1, perSeconds: 0 } }, '/rateLimit/perSeconds'],
    [
      'an unknown bucket field',
      { ...minimal, rateLimit: { burst: 1, perSeconds: 1, extra: 1 } },
      '/rateLimit/extra',
    ],
    ['a limit of 0 meaning unlimited', { ...minimal, rateLimit: 0 }, '/rateLimit'],
    ['null meaning unlimited', { ...minimal, rateLimit: null }, '/rateLimit'],
  ])('refuses %s', (_label, input, path) => {
    expect(errorsOf(settings.issueApiKeyInput, input).map((error) => error.path)).toContain(path);
  });

  it.each(['\u0000ci', 'c\ni', 'ci\u001b', 'ci\u007f'])(
    'refuses a name with a control character (%j)',
    (name) => {
      expect(errorsOf(settings.issueApiKeyInput, { ...minimal, name })).toEqual([
        // Field errors describe a pattern failure generically, never with the schema's own wording.
        { path: '/name', message: 'has an invalid format' },
      ]);
    },
  );

  it('accepts names in any script, with spaces and punctuation', () => {
    expect(
      settings.issueApiKeyInput.safeParse({ ...minimal, name: 'Ünïcødé export — nightly (2)' }).success,
    ).toBe(true);
  });

  it('refuses a repeated role', () => {
    expect(errorsOf(settings.issueApiKeyInput, { ...minimal, roles: ['user', 'user'] })).toEqual([
      { path: '/roles', message: 'must not repeat a role' },
    ]);
  });

  it('refuses an own bucket averaging over 1000 requests per second, and accepts exactly 1000', () => {
    expect(
      errorsOf(settings.issueApiKeyInput, { ...minimal, rateLimit: { burst: 1_001, perSeconds: 1 } }),
    ).toEqual([{ path: '/rateLimit', message: averageMessage }]);
    expect(
      settings.issueApiKeyInput.safeParse({ ...minimal, rateLimit: { burst: 1_000, perSeconds: 1 } }).success,
    ).toBe(true);
  });

  it('reports a bad bucket field at that field alone, without the average', () => {
    expect(
      errorsOf(settings.issueApiKeyInput, { ...minimal, rateLimit: { burst: 0, perSeconds: 0 } }),
    ).toEqual([
      { path: '/rateLimit/burst', message: 'must be at least 1' },
      { path: '/rateLimit/perSeconds', message: 'must be at least 1' },
    ]);
  });
});

describe('apiKeyBucketBody (the admin API spelling)', () => {
  it('applies the same ceilings under snake_case names', () => {
    expect(settings.apiKeyBucketBody.parse({ burst: 10_000, per_seconds: 10 })).toEqual({
      burst: 10_000,
      per_seconds: 10,
    });
    expect(errorsOf(settings.apiKeyBucketBody, { burst: 1_001, per_seconds: 1 })).toEqual([
      { path: '', message: averageMessage },
    ]);
    expect(
      errorsOf(settings.apiKeyBucketBody, { burst: 10_001, per_seconds: 3600 }).map((e) => e.path),
    ).toEqual(['/burst']);
    expect(errorsOf(settings.apiKeyBucketBody, { burst: 0, per_seconds: 0 }).map((e) => e.path)).toEqual([
      '/burst',
      '/per_seconds',
    ]);
  });
});

describe('apiKeyPatch', () => {
  it('changes roles, the rate limit, or both; null returns the key to the route policy', () => {
    expect(settings.apiKeyPatch.parse({ roles: ['admin'] })).toEqual({ roles: ['admin'] });
    expect(settings.apiKeyPatch.parse({ rateLimit: { burst: 2, perSeconds: 3 } })).toEqual({
      rateLimit: { burst: 2, perSeconds: 3 },
    });
    expect(settings.apiKeyPatch.parse({ rateLimit: null })).toEqual({ rateLimit: null });
    expect(settings.apiKeyPatch.parse({ roles: ['user'], rateLimit: 'unlimited' })).toEqual({
      roles: ['user'],
      rateLimit: 'unlimited',
    });
  });

  it('refuses an empty patch and a name change', () => {
    expect(errorsOf(settings.apiKeyPatch, {})).toEqual([
      { path: '', message: 'must change at least one of roles, rateLimit' },
    ]);
    expect(errorsOf(settings.apiKeyPatch, { name: 'other' }).map((e) => e.path)).toContain('/name');
  });
});
