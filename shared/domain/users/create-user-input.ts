import * as z from 'zod';
import { roles } from './user.js';

/** bcrypt reads only the first 72 bytes; longer passwords are refused rather than silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_CHARACTERS = 12;

export const createUserInput = z.strictObject({
  username: z
    .string()
    .min(3)
    .max(64)
    .regex(/^[a-z0-9._-]+$/, 'may contain only lowercase letters, digits, ".", "_" and "-"'),
  password: z
    .string()
    .min(PASSWORD_MIN_CHARACTERS)
    .max(PASSWORD_MAX_BYTES)
    .refine(
      (value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES,
      `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
    ),
  email: z.email().max(254).optional(),
  roles: z
    .array(z.enum(roles))
    .min(1)
    .max(roles.length)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a role')
    .optional(),
});

export type CreateUserInput = z.output<typeof createUserInput>;
