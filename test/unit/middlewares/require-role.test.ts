/** requireRole on its own: 403 unless the principal holds one of the route's roles. */
import { beforeEach, describe, expect, it } from 'vitest';
import { RoleMissingError } from '../../../shared/errors/auth-errors.js';
import { importFresh } from '../../support/import-fresh.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { secureRequestOf } from '../../support/secure-request-of.js';

type RoleModule = typeof import('../../../shared/middlewares/require-role.js');
// Loaded afresh for each test, so the factory itself (a module constant) is mutation-tested too.
let requireRole: RoleModule['requireRole'];
beforeEach(async () => {
  ({ requireRole } = await importFresh<RoleModule>(
    new URL('../../../shared/middlewares/require-role.js', import.meta.url),
  ));
});

const check = async (
  roles: readonly ('user' | 'admin')[],
  granted: readonly ('user' | 'admin')[] | undefined,
) => {
  const { request } = secureRequestOf(
    granted === undefined
      ? {}
      : { principal: { kind: 'api_key', id: 'bwk_x', roles: granted, rateLimit: undefined } },
  );
  return requireRole({ roles }).before?.(request);
};

describe('requireRole', () => {
  it('lets through a principal holding one of the roles', async () => {
    await expect(check(['admin'], ['admin'])).resolves.toBeUndefined();
    await expect(check(['user', 'admin'], ['user'])).resolves.toBeUndefined();
  });

  it('refuses with 403 a principal holding none of them', async () => {
    const error = await rejectionOf(Promise.resolve(check(['admin'], ['user'])).then(() => undefined));
    expect(error).toBeInstanceOf(RoleMissingError);
    expect((error as RoleMissingError).code).toBe('forbidden');
  });

  it('refuses a principal with no roles, and a request without a principal', async () => {
    expect(await rejectionOf(Promise.resolve().then(() => check(['user'], [])))).toBeInstanceOf(
      RoleMissingError,
    );
    expect(await rejectionOf(Promise.resolve().then(() => check(['user'], undefined)))).toBeInstanceOf(
      RoleMissingError,
    );
  });
});
