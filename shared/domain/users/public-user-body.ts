import * as z from 'zod/mini';
import { type PublicUser, roles } from './user.js';

/** A user as the API shows it (`POST /api/v1/user`, `GET /api/v1/user/me`): never a password or its hash. */
export const publicUserBody = z
  .strictObject({
    id: z.string().check(z.minLength(1)),
    username: z.string().check(z.minLength(1), z.maxLength(64)),
    email: z.optional(z.email()),
    roles: z.array(z.enum(roles)),
    created_at: z.iso.datetime({ offset: true }),
  })
  .register(z.globalRegistry, { id: 'User', description: 'A user, without its password or password hash' });

/** Compile-time tie: what toPublicUser() builds is what the schema describes. */
export const asPublicUserBody = (user: PublicUser): z.input<typeof publicUserBody> => ({
  ...user,
  roles: [...user.roles],
});
