import { beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { toApiKeyView } from '../../../shared/domain/api-keys/api-key.js';
import { fieldErrorsOf } from '../../../shared/errors/field-errors.js';
import { importFresh } from '../../support/import-fresh.js';

type BodiesModule = typeof import('../../../shared/domain/api-keys/api-key-bodies.js');
// Loaded afresh for each test, so the body schemas (module constants) are mutation-tested too.
let createApiKeyBody: BodiesModule['createApiKeyBody'];
let issueInputFromBody: BodiesModule['issueInputFromBody'];
let patchFromBody: BodiesModule['patchFromBody'];
let updateApiKeyBody: BodiesModule['updateApiKeyBody'];
let apiKeyViewBody: BodiesModule['apiKeyViewBody'];
let issuedApiKeyBody: BodiesModule['issuedApiKeyBody'];
let asApiKeyViewBody: BodiesModule['asApiKeyViewBody'];
beforeEach(async () => {
  ({
    createApiKeyBody,
    issueInputFromBody,
    patchFromBody,
    updateApiKeyBody,
    apiKeyViewBody,
    issuedApiKeyBody,
    asApiKeyViewBody,
  } = await importFresh<BodiesModule>(
    new URL('../../../shared/domain/api-keys/api-key-bodies.js', import.meta.url),
  ));
});

const errorsOf = (schema: z.core.$ZodType, body: unknown) => {
  const result = z.safeParse(schema, body);
  return result.success ? [] : fieldErrorsOf(result.error, body);
};

describe('createApiKeyBody', () => {
  it('accepts a minimal body and one with every field', () => {
    expect(createApiKeyBody.safeParse({ name: 'ci', roles: ['user'] }).success).toBe(true);
    expect(
      createApiKeyBody.safeParse({
        name: 'ci',
        roles: ['user', 'admin'],
        rate_limit: { burst: 100, per_seconds: 60 },
        expires_at: '2031-01-01T00:00:00Z',
      }).success,
    ).toBe(true);
    expect(
      createApiKeyBody.safeParse({ name: 'ci', roles: ['admin'], rate_limit: 'unlimited' }).success,
    ).toBe(true);
  });

  // A type error inside the bucket (1.5, "10", a misspelt field) makes zod's union report at
  // /rate_limit; range errors are reported at the field itself.
  it.each([
    ['an empty name', { name: '', roles: ['user'] }, '/name'],
    ['a name of 101 characters', { name: 'n'.repeat(101), roles: ['user'] }, '/name'],
    ['a name with a newline', { name: 'a\nb', roles: ['user'] }, '/name'],
    ['no roles', { name: 'ci', roles: [] }, '/roles'],
    ['an unknown role', { name: 'ci', roles: ['root'] }, '/roles/0'],
    ['a repeated role', { name: 'ci', roles: ['user', 'user'] }, '/roles'],
    [
      'burst 0',
      { name: 'ci', roles: ['user'], rate_limit: { burst: 0, per_seconds: 60 } },
      '/rate_limit/burst',
    ],
    [
      'a negative burst',
      { name: 'ci', roles: ['user'], rate_limit: { burst: -5, per_seconds: 60 } },
      '/rate_limit/burst',
    ],
    [
      'a fractional burst',
      { name: 'ci', roles: ['user'], rate_limit: { burst: 1.5, per_seconds: 60 } },
      '/rate_limit',
    ],
    [
      'a burst over 10,000, which never binds and so is unlimited in effect',
      { name: 'ci', roles: ['user'], rate_limit: { burst: 10_001, per_seconds: 604_800 } },
      '/rate_limit/burst',
    ],
    [
      'an average above 1,000 requests per second',
      { name: 'ci', roles: ['user'], rate_limit: { burst: 10_000, per_seconds: 9 } },
      '/rate_limit',
    ],
    [
      'per_seconds over a week',
      { name: 'ci', roles: ['user'], rate_limit: { burst: 1, per_seconds: 604_801 } },
      '/rate_limit/per_seconds',
    ],
    [
      'a camelCase perSeconds',
      { name: 'ci', roles: ['user'], rate_limit: { burst: 1, perSeconds: 60 } },
      '/rate_limit',
    ],
    [
      'a string burst',
      { name: 'ci', roles: ['user'], rate_limit: { burst: '10', per_seconds: 60 } },
      '/rate_limit',
    ],
    ['rate_limit 0', { name: 'ci', roles: ['user'], rate_limit: 0 }, '/rate_limit'],
    ['rate_limit null', { name: 'ci', roles: ['user'], rate_limit: null }, '/rate_limit'],
    ['rate_limit "Unlimited"', { name: 'ci', roles: ['user'], rate_limit: 'Unlimited' }, '/rate_limit'],
    ['a date without time', { name: 'ci', roles: ['user'], expires_at: '2031-01-01' }, '/expires_at'],
    ['an epoch number expiry', { name: 'ci', roles: ['user'], expires_at: 1_900_000_000 }, '/expires_at'],
    ['an unknown field', { name: 'ci', roles: ['user'], secret: 'mine' }, '/secret'],
  ])('rejects %s at %s', (_label, body, path) => {
    expect(errorsOf(createApiKeyBody, body).map((error) => error.path)).toContain(path);
  });

  it('maps to the domain input in camelCase', () => {
    const body = createApiKeyBody.parse({
      name: 'ci',
      roles: ['user'],
      rate_limit: { burst: 5, per_seconds: 10 },
      expires_at: '2031-01-01T00:00:00Z',
    });
    expect(issueInputFromBody(body)).toEqual({
      name: 'ci',
      roles: ['user'],
      rateLimit: { burst: 5, perSeconds: 10 },
      expiresAt: '2031-01-01T00:00:00Z',
    });
    expect(issueInputFromBody(createApiKeyBody.parse({ name: 'ci', roles: ['user'] }))).toStrictEqual({
      name: 'ci',
      roles: ['user'],
    });
    expect(
      issueInputFromBody(createApiKeyBody.parse({ name: 'ci', roles: ['user'], rate_limit: 'unlimited' })),
    ).toStrictEqual({ name: 'ci', roles: ['user'], rateLimit: 'unlimited' });
  });

  it('accepts an expiry with a UTC offset', () => {
    expect(
      createApiKeyBody.safeParse({ name: 'ci', roles: ['user'], expires_at: '2031-01-01T02:00:00+02:00' })
        .success,
    ).toBe(true);
  });
});

describe('updateApiKeyBody', () => {
  it('needs at least one field', () => {
    expect(errorsOf(updateApiKeyBody, {})).toEqual([
      { path: '', message: 'must change at least one of roles, rate_limit' },
    ]);
    expect(updateApiKeyBody.safeParse({}).success).toBe(false);
    expect(updateApiKeyBody.safeParse({ roles: ['admin'] }).success).toBe(true);
    expect(updateApiKeyBody.safeParse({ rate_limit: 'unlimited' }).success).toBe(true);
  });

  it('takes rate_limit null as "back to the route policy" and maps it through', () => {
    const body = updateApiKeyBody.parse({ rate_limit: null });
    expect(patchFromBody(body)).toStrictEqual({ rateLimit: null });
    expect(patchFromBody(updateApiKeyBody.parse({ roles: ['admin'] }))).toStrictEqual({ roles: ['admin'] });
    expect(patchFromBody(updateApiKeyBody.parse({ rate_limit: 'unlimited', roles: ['user'] }))).toStrictEqual(
      {
        roles: ['user'],
        rateLimit: 'unlimited',
      },
    );
    expect(patchFromBody(updateApiKeyBody.parse({ rate_limit: { burst: 2, per_seconds: 3 } }))).toEqual({
      rateLimit: { burst: 2, perSeconds: 3 },
    });
  });

  it.each([
    ['a name (names are fixed at creation)', { name: 'other' }, '/name'],
    ['burst 0', { rate_limit: { burst: 0, per_seconds: 1 } }, '/rate_limit/burst'],
    ['empty roles', { roles: [] }, '/roles'],
  ])('rejects %s', (_label, body, path) => {
    expect(errorsOf(updateApiKeyBody, body).map((error) => error.path)).toContain(path);
  });
});

const view = toApiKeyView({
  keyId: 'bwk_abcdefghijklmnopqrst',
  name: 'ci',
  roles: ['user', 'admin'],
  rateLimit: { burst: 5, perSeconds: 60 },
  expiresAtMs: Date.UTC(2031, 0, 1),
  previousSecretExpiresAtMs: Date.UTC(2030, 0, 2),
  revoked: false,
  createdAtMs: Date.UTC(2030, 0, 1),
  updatedAtMs: Date.UTC(2030, 0, 1, 12),
  version: 3,
});
const credential = 'bwk_abcdefghijklmnopqrst:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';

describe('apiKeyViewBody: what the admin API answers for a key', () => {
  it('describes the view the domain builds, as a copy with its own roles array', () => {
    const body = asApiKeyViewBody(view);
    expect(body).toStrictEqual({ ...view, roles: ['user', 'admin'] });
    expect(body.roles).not.toBe(view.roles);
    expect(apiKeyViewBody.safeParse(body).success).toBe(true);
  });

  it.each([
    ['no own limit', { rate_limit: null }],
    ['an unlimited key', { rate_limit: 'unlimited' }],
    ['no expiry and no overlap', { expires_at: null, overlap_until: null }],
    [
      'instants with a UTC offset',
      { expires_at: '2031-01-01T02:00:00+02:00', updated_at: '2030-01-01T13:00:00+01:00' },
    ],
  ])('accepts a key with %s', (_, change) => {
    expect(errorsOf(apiKeyViewBody, { ...view, ...change })).toEqual([]);
  });

  it.each([
    ['a key id that cannot exist', { key_id: 'key-1' }, '/key_id'],
    ['a name that is not a string', { name: 7 }, '/name'],
    ['an unknown role', { roles: ['root'] }, '/roles/0'],
    ['a zero burst', { rate_limit: { burst: 0, per_seconds: 1 } }, '/rate_limit/burst'],
    ['a fractional per_seconds', { rate_limit: { burst: 1, per_seconds: 0.5 } }, '/rate_limit'],
    ['a camelCase perSeconds', { rate_limit: { burst: 1, perSeconds: 1 } }, '/rate_limit'],
    ['a limit named otherwise', { rate_limit: 'none' }, '/rate_limit'],
    ['an expiry that is no instant', { expires_at: 'tomorrow' }, '/expires_at'],
    ['an overlap end that is no instant', { overlap_until: '2030-01-02' }, '/overlap_until'],
    ['a revoked flag that is not a boolean', { revoked: 'no' }, '/revoked'],
    ['a creation time that is no instant', { created_at: 0 }, '/created_at'],
    ['an update time that is no instant', { updated_at: null }, '/updated_at'],
    ['a secret hash', { secret_hash: 'x' }, '/secret_hash'],
    ['the credential itself', { api_key: credential }, '/api_key'],
  ])('refuses %s', (_, change, path) => {
    expect(errorsOf(apiKeyViewBody, { ...view, ...change }).map((error) => error.path)).toContain(path);
  });

  it('is the OpenAPI component ApiKey, and documents its limit and overlap fields', () => {
    expect(z.globalRegistry.get(apiKeyViewBody)).toEqual({
      id: 'ApiKey',
      description: expect.stringMatching(/\S/),
    });
    for (const field of ['rate_limit', 'overlap_until'] as const) {
      expect(z.globalRegistry.get(apiKeyViewBody.shape[field])?.description).toMatch(/\S/);
    }
  });
});

describe('issuedApiKeyBody: a new key with its credential, shown once', () => {
  it('accepts the view with a well-formed credential, and nothing without one', () => {
    expect(errorsOf(issuedApiKeyBody, { ...asApiKeyViewBody(view), api_key: credential })).toEqual([]);
    expect(errorsOf(issuedApiKeyBody, asApiKeyViewBody(view)).map((error) => error.path)).toEqual([
      '/api_key',
    ]);
  });

  it.each([
    ['a credential without its secret', 'bwk_abcdefghijklmnopqrst'],
    ['a Bearer-prefixed credential', `Bearer ${credential}`],
  ])('refuses %s', (_, apiKey) => {
    expect(errorsOf(issuedApiKeyBody, { ...view, api_key: apiKey }).map((error) => error.path)).toEqual([
      '/api_key',
    ]);
  });

  it('refuses a key view that is not one', () => {
    expect(
      errorsOf(issuedApiKeyBody, { ...view, key_id: 'key-1', api_key: credential }).map(
        (error) => error.path,
      ),
    ).toEqual(['/key_id']);
  });

  it('is the OpenAPI component IssuedApiKey, and documents the credential', () => {
    expect(z.globalRegistry.get(issuedApiKeyBody)).toEqual({
      id: 'IssuedApiKey',
      description: expect.stringMatching(/\S/),
    });
    expect(z.globalRegistry.get(issuedApiKeyBody.shape.api_key)?.description).toMatch(/\S/);
    expect(z.globalRegistry.get(issuedApiKeyBody.shape.rate_limit)?.description).toMatch(/\S/);
  });
});
