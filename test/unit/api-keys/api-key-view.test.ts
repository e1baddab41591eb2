import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../../shared/domain/api-keys/api-key.js';
import { importFresh } from '../../support/import-fresh.js';

type ApiKeyModule = typeof import('../../../shared/domain/api-keys/api-key.js');
// Loaded afresh for each test, like api-key.test.ts, so the function itself is mutation-tested.
let toApiKeyView: ApiKeyModule['toApiKeyView'];
beforeEach(async () => {
  ({ toApiKeyView } = await importFresh<ApiKeyModule>(
    new URL('../../../shared/domain/api-keys/api-key.js', import.meta.url),
  ));
});

const secretHash = 'SECRETHASHxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
const record: ApiKeyRecord = {
  keyId: 'bwk_abcdefghijklmnopqrst',
  name: 'billing export',
  roles: ['user'],
  rateLimit: { burst: 10, perSeconds: 60 },
  expiresAtMs: Date.UTC(2031, 0, 1),
  revoked: false,
  secretHash,
  createdAtMs: Date.UTC(2030, 0, 7),
  updatedAtMs: Date.UTC(2030, 0, 8),
  version: 2,
};

describe('toApiKeyView', () => {
  it('answers in the admin API snake_case with ISO instants', () => {
    expect(toApiKeyView(record)).toEqual({
      key_id: 'bwk_abcdefghijklmnopqrst',
      name: 'billing export',
      roles: ['user'],
      rate_limit: { burst: 10, per_seconds: 60 },
      expires_at: '2031-01-01T00:00:00.000Z',
      revoked: false,
      overlap_until: null,
      created_at: '2030-01-07T00:00:00.000Z',
      updated_at: '2030-01-08T00:00:00.000Z',
    });
  });

  it('shows the route default as null, unlimited as the explicit string, and no expiry as null', () => {
    expect(toApiKeyView({ ...record, rateLimit: undefined, expiresAtMs: undefined })).toMatchObject({
      rate_limit: null,
      expires_at: null,
    });
    expect(toApiKeyView({ ...record, rateLimit: 'unlimited' }).rate_limit).toBe('unlimited');
  });

  it("shows until when the secret a rotation replaced still works, never that secret's hash", () => {
    const view = toApiKeyView({
      ...record,
      previousSecretHash: 'PREVIOUSHASHxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      previousSecretExpiresAtMs: Date.UTC(2030, 0, 8, 1),
    } as ApiKeyRecord);
    expect(view.overlap_until).toBe('2030-01-08T01:00:00.000Z');
    expect(JSON.stringify(view)).not.toContain('PREVIOUSHASH');
  });

  it('never carries the secret hash, whatever else the record holds', () => {
    fc.assert(
      fc.property(
        fc.record({
          name: fc.string({ minLength: 1, maxLength: 100 }).filter((name) => !/secret|hash/i.test(name)),
          revoked: fc.boolean(),
          version: fc.integer({ min: 1, max: 1_000 }),
          extra: fc.dictionary(fc.string(), fc.string()),
        }),
        ({ name, revoked, version, extra }) => {
          const view = toApiKeyView({ ...extra, ...record, name, revoked, version } as ApiKeyRecord);
          const json = JSON.stringify(view);
          expect(json).not.toContain(secretHash);
          expect(json).not.toMatch(/secret|hash/i);
          expect(Object.keys(view).sort()).toEqual([
            'created_at',
            'expires_at',
            'key_id',
            'name',
            'overlap_until',
            'rate_limit',
            'revoked',
            'roles',
            'updated_at',
          ]);
        },
      ),
    );
  });
});
