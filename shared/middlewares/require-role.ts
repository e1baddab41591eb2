import type { Role } from '../domain/users/user.js';
import { RoleMissingError } from '../errors/auth-errors.js';
import type { SecureMiddleware } from '../http/secure-request.js';

/** 403 unless the authenticated principal holds at least one of `roles`. */
export const requireRole = (options: { readonly roles: readonly Role[] }): SecureMiddleware => ({
  name: 'requireRole',
  before: (request) => {
    const granted = request.context.bulwark.principal?.roles;
    if (granted === undefined || !options.roles.some((role) => granted.includes(role)))
      throw new RoleMissingError();
  },
});
