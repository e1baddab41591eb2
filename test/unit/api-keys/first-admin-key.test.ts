/**
 * The first admin key of a deployed stage (functions/bootstrap-admin): issued once through IAM, a real
 * admin credential that expires, refused while an admin key is active unless forced.
 */
import { describe, expect, it } from 'vitest';
import { createApiKeys } from '../../../shared/domain/api-keys/create-api-keys.js';
import {
  FIRST_ADMIN_KEY_HOURS_DEFAULT,
  FirstAdminRefusedError,
  issueFirstAdminKey,
} from '../../../shared/domain/api-keys/first-admin-key.js';
import { inMemoryApiKeyStore } from '../../support/in-memory-api-key-store.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { manualClock } from '../../support/test-runtime.js';

const build = () => {
  const clock = manualClock(Date.UTC(2030, 0, 7));
  const apiKeys = createApiKeys({
    store: inMemoryApiKeyStore([]),
    clock,
    pepper: async () => 'unit-test-pepper-0123456789-abcdefghij',
  });
  return { clock, apiKeys, deps: { apiKeys, clock } };
};

describe('issueFirstAdminKey', () => {
  it('issues an admin key that verifies, expires after a day, and is shown in the answer only', async () => {
    const { clock, apiKeys, deps } = build();
    const issued = await issueFirstAdminKey({}, deps);
    const verified = await apiKeys.verify(issued.api_key);
    expect(verified.keyId).toBe(issued.key_id);
    expect(verified.roles).toEqual(['admin']);
    expect(issued.expires_at).toBe(
      new Date(clock.nowMs() + FIRST_ADMIN_KEY_HOURS_DEFAULT * 3_600_000).toISOString(),
    );
    const [listed] = await apiKeys.list();
    expect(listed).toMatchObject({
      key_id: issued.key_id,
      name: 'first admin',
      expires_at: issued.expires_at,
    });
    expect(JSON.stringify(listed)).not.toContain(issued.api_key.split(':')[1]);

    clock.advanceMs(FIRST_ADMIN_KEY_HOURS_DEFAULT * 3_600_000 + 1);
    await expect(apiKeys.verify(issued.api_key)).rejects.toThrow();
  });

  it('takes a name and a lifetime in hours, within bounds', async () => {
    const { clock, deps } = build();
    const issued = await issueFirstAdminKey({ name: 'ops bootstrap', expires_in_hours: 2 }, deps);
    expect(issued.expires_at).toBe(new Date(clock.nowMs() + 2 * 3_600_000).toISOString());
    for (const payload of [
      { expires_in_hours: 0 },
      { expires_in_hours: 169 },
      { name: '' },
      { role: 'admin' },
      'x',
    ]) {
      const error = await rejectionOf(issueFirstAdminKey(payload, build().deps));
      expect(error).toBeInstanceOf(FirstAdminRefusedError);
      expect(String(error)).toMatch(/may only carry name/);
    }
  });

  it('refuses a second key while an admin key is active, naming it, and issues one when forced', async () => {
    const { apiKeys, deps } = build();
    const first = await issueFirstAdminKey(undefined, deps);
    const refused = await rejectionOf(issueFirstAdminKey({}, deps));
    expect(refused).toBeInstanceOf(FirstAdminRefusedError);
    expect(String(refused)).toContain(first.key_id);
    expect(await apiKeys.list()).toHaveLength(1);

    const forced = await issueFirstAdminKey({ force: true }, deps);
    expect(forced.key_id).not.toBe(first.key_id);
    expect(await apiKeys.list()).toHaveLength(2);
  });

  it('is not blocked by revoked or expired admin keys, nor by keys without the admin role', async () => {
    const { clock, apiKeys, deps } = build();
    const revoked = await issueFirstAdminKey({}, deps);
    await apiKeys.revoke(revoked.key_id);
    await issueFirstAdminKey({ expires_in_hours: 1 }, deps);
    await apiKeys.issue({ name: 'reader', roles: ['user'] });
    clock.advanceMs(3_600_001);
    const third = await issueFirstAdminKey({}, deps);
    expect((await apiKeys.verify(third.api_key)).roles).toEqual(['admin']);
  });
});
