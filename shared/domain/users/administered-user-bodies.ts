import * as z from 'zod/mini';
import type { AdministeredUser } from './administer-users.js';
import { asPublicUserBody, publicUserBody } from './public-user-body.js';
import type { PublicUser } from './user.js';

/** `GET /admin/users`: every user, by username. */
export const userListBody = z
  .strictObject({ users: z.array(publicUserBody) })
  .register(z.globalRegistry, { id: 'UserList', description: 'Every user, without passwords or hashes' });

/** `PATCH /admin/users/{username}`: the user as changed, and how many sessions the change revoked. */
export const updatedUserBody = z
  .strictObject({ ...publicUserBody.shape, sessions_revoked: z.int().check(z.gte(0)) })
  .register(z.globalRegistry, {
    id: 'UpdatedUser',
    description: 'The user as changed, and how many of its sessions the change revoked',
  });

/** Compile-time ties: what the user administration returns is what the schemas describe. */
export const asUserListBody = (users: readonly PublicUser[]): z.input<typeof userListBody> => ({
  users: users.map(asPublicUserBody),
});
export const asUpdatedUserBody = ({
  user,
  sessionsRevoked,
}: AdministeredUser): z.input<typeof updatedUserBody> => ({
  ...asPublicUserBody(user),
  sessions_revoked: sessionsRevoked,
});
