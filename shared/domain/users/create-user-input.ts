import * as z from 'zod/mini';
import { roles } from './user.js';

/** bcrypt reads only the first 72 bytes; longer passwords are refused rather than silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_CHARACTERS = 12;

export const createUserInput = z.strictObject({
  username: z
    .string()
    .check(
      z.minLength(3),
      z.maxLength(64),
      z.regex(/^[a-z0-9._-]+$/, 'may contain only lowercase letters, digits, ".", "_" and "-"'),
    ),
  password: z.string().check(
    z.minLength(PASSWORD_MIN_CHARACTERS),
    z.maxLength(PASSWORD_MAX_BYTES),
    z.refine(
      (value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES,
      `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
    ),
  ),
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
