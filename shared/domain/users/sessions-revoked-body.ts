import * as z from 'zod/mini';
import type { AdministeredUser } from './administer-users.js';

/** `POST /admin/users/{username}/sessions/revoke` and the password reset: how many sessions stopped. */
export const sessionsRevokedBody = z
  .strictObject({
    username: z.string().check(z.minLength(1), z.maxLength(64)),
    sessions_revoked: z.int().check(z.gte(0)),
  })
  .register(z.globalRegistry, {
    id: 'SessionsRevoked',
    description: 'The user and how many of its sessions were revoked',
  });

/** Compile-time tie: what the user administration returns is what the schema describes. */
export const asSessionsRevokedBody = ({
  user,
  sessionsRevoked,
}: AdministeredUser): z.input<typeof sessionsRevokedBody> => ({
  username: user.username,
  sessions_revoked: sessionsRevoked,
});
