import * as z from 'zod/mini';
import { passwordInput } from './password-input.js';

/** `PUT /admin/users/{username}/password`: the same rules as at creation (12 characters to 72 bytes). */
export const setPasswordBody = z.strictObject({ password: passwordInput });
