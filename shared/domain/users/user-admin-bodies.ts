import * as z from 'zod';
import { createUserInput } from './create-user-input.js';

const { password, roles } = createUserInput.shape;

/** `PATCH /admin/users/{username}`: at least one field. A role change or a disable revokes every session. */
export const updateUserBody = z
  .strictObject({ roles: roles.unwrap().optional(), disabled: z.boolean().optional() })
  .refine((body) => body.roles !== undefined || body.disabled !== undefined, {
    message: 'must change at least one of roles, disabled',
  });

export type UpdateUserBody = z.output<typeof updateUserBody>;

/** `PUT /admin/users/{username}/password`: the same rules as at creation (12 characters to 72 bytes). */
export const setPasswordBody = z.strictObject({ password });
