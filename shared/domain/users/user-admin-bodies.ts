import * as z from 'zod/mini';
import { createUserInput } from './create-user-input.js';

const { roles } = createUserInput.shape;

/** `PATCH /admin/users/{username}`: at least one field. A role change or a disable revokes every session. */
export const updateUserBody = z.strictObject({ roles, disabled: z.optional(z.boolean()) }).check(
  z.refine((body) => body.roles !== undefined || body.disabled !== undefined, {
    message: 'must change at least one of roles, disabled',
  }),
);

export type UpdateUserBody = z.output<typeof updateUserBody>;
