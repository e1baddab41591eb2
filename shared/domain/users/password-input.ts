import * as z from 'zod/mini';

/** bcrypt reads only the first 72 bytes; longer passwords are refused rather than silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_CHARACTERS = 12;

/** A password as every route takes it (creation, reset): 12 characters to 72 bytes of UTF-8. */
export const passwordInput = z.string().check(
  z.minLength(PASSWORD_MIN_CHARACTERS),
  z.maxLength(PASSWORD_MAX_BYTES),
  z.refine(
    (value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES,
    `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
  ),
);
