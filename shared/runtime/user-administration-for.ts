import bcrypt from 'bcryptjs';
import { createUserAdministration, type UserAdministration } from '../domain/users/administer-users.js';
import { perRuntime } from './per-runtime.js';
import { refreshSessionsFor } from './refresh-sessions-for.js';
import type { Runtime } from './runtime.js';
import { usersFor } from './users-for.js';

/** The admin routes' user administration: changes that revoke sessions, password resets, deletion. */
export const userAdministrationFor = perRuntime(
  (runtime: Runtime): UserAdministration =>
    createUserAdministration({
      repository: usersFor(runtime),
      revokeSessions: (refs, reason) => refreshSessionsFor(runtime).revokeRefs(refs, reason),
      hashPassword: (password) => bcrypt.hash(password, runtime.config.passwordBcryptCost),
      clock: runtime.clock,
    }),
);
