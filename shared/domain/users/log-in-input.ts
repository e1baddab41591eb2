import * as z from 'zod/mini';
import { PASSWORD_MAX_BYTES } from './create-user-input.js';

/**
 * The same bounds as at creation: a password over 72 bytes can never match (it was refused when set),
 * and is refused here too rather than truncated. Username shape is not checked beyond length, so a
 * malformed name gets the same 401 as an unknown one.
 */
export const logInInput = z.strictObject({
  username: z.string().check(z.minLength(1), z.maxLength(64)),
  password: z.string().check(
    z.minLength(1),
    z.maxLength(PASSWORD_MAX_BYTES),
    z.refine(
      (value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES,
      `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
    ),
  ),
});

const refreshToken = z.string().check(z.minLength(1), z.maxLength(256));
export const refreshInput = z.strictObject({ refresh_token: refreshToken });
export const logOutInput = z.strictObject({ refresh_token: z.optional(refreshToken) });
