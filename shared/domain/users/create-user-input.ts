import * as z from 'zod/mini';
import { passwordInput } from './password-input.js';
import { roles } from './user.js';

export { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARACTERS } from './password-input.js';

export const createUserInput = z.strictObject({
  username: z
    .string()
    .check(
      z.minLength(3),
      z.maxLength(64),
      z.regex(/^[a-z0-9._-]+$/, 'may contain only lowercase letters, digits, ".", "_" and "-"'),
    ),
  password: passwordInput,
  email: z.optional(z.email().check(z.maxLength(254))),
  roles: z.optional(
    z.array(z.enum(roles)).check(
      z.minLength(1),
      z.maxLength(roles.length),
      z.refine((list) => new Set(list).size === list.length, 'must not repeat a role'),
    ),
  ),
});

export type CreateUserInput = z.output<typeof createUserInput>;
