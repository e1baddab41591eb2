import { revokeSessionRefs } from '../domain/sessions/revoke-session-refs.js';
import {
  createUserAdministration,
  type UserAdministration,
  type UserAdministrationDependencies,
} from '../domain/users/administer-users.js';
import { perRuntime } from './per-runtime.js';
import type { Runtime } from './runtime.js';
import { sessionStoreFor } from './session-store-for.js';
import { usersFor } from './users-for.js';

/** What every user-administration route shares: the users table and session revocation as logout does it. */
export const userAdministrationDependencies = (runtime: Runtime): UserAdministrationDependencies => ({
  repository: usersFor(runtime),
  revokeSessions: (refs, reason) =>
    revokeSessionRefs(
      {
        store: sessionStoreFor(runtime),
        clock: runtime.clock,
        accessTokenLifetimeSeconds: runtime.config.tokens.accessTokenTtlSeconds,
      },
      refs,
      reason,
    ),
  clock: runtime.clock,
});

/**
 * The admin routes' user administration: changes that revoke sessions and deletion. Without a password
 * hasher and without the refresh-session use cases: the password route adds bcrypt itself, so no other
 * function bundles it.
 */
export const userAdministrationFor = perRuntime(
  (runtime: Runtime): UserAdministration => createUserAdministration(userAdministrationDependencies(runtime)),
);
