import { UserNotFoundError } from '../../errors/user-errors.js';
import type { Clock } from '../clock.js';
import type { SessionRevocationReason } from '../sessions/session-store.js';
import { type PublicUser, type Role, toPublicUser, type User } from './user.js';
import type { UsersRepository } from './users-repository.js';

export interface UserAdministrationDependencies {
  readonly repository: UsersRepository;
  /** Revokes the sessions named by references (RefreshSessions.revokeRefs); throws if any failed. */
  readonly revokeSessions: (refs: readonly string[], reason: SessionRevocationReason) => Promise<number>;
  /** Only `setPassword` hashes (bcrypt): routes that never reset a password leave it out. */
  readonly hashPassword?: (password: string) => Promise<string>;
  readonly clock: Clock;
}

export interface UserUpdate {
  readonly roles?: readonly Role[];
  readonly disabled?: boolean;
}

/** What a change did to the user's sessions: how many were revoked by it. */
export interface AdministeredUser {
  readonly user: PublicUser;
  readonly sessionsRevoked: number;
}

export interface UserAdministration {
  readonly list: () => Promise<PublicUser[]>;
  readonly show: (username: string) => Promise<PublicUser>;
  /**
   * Roles or the disabled flag. A role change or a disable revokes every session (a session carries the
   * roles of its login, and refreshing never reads the user again); enabling revokes nothing.
   */
  readonly update: (username: string, update: UserUpdate) => Promise<AdministeredUser>;
  /** A new password (hashed here); every session is revoked. */
  readonly setPassword: (username: string, password: string) => Promise<AdministeredUser>;
  /** Every refresh family and access token of the user, at once. */
  readonly revokeSessions: (username: string) => Promise<AdministeredUser>;
  /** Disables the user, revokes every session, then deletes the record. */
  readonly remove: (username: string) => Promise<AdministeredUser>;
}

/** The shape every username has (create-user-input.ts): anything else is not looked up. */
const usernamePattern = /^[a-z0-9._-]{3,64}$/;

const assertUsername = (username: string): string => {
  if (typeof username !== 'string' || !usernamePattern.test(username)) throw new UserNotFoundError();
  return username;
};

const byUsername = (a: { username: string }, b: { username: string }): number =>
  a.username < b.username ? -1 : a.username > b.username ? 1 : 0;

/**
 * User administration for the admin routes. Every change is one conditional write that increments the
 * user's revision and returns the session references atomically with it; those sessions are then
 * revoked and forgotten. A login racing the change either added its reference before (so it is revoked)
 * or fails its own condition (the revision moved), so no session outlives a change that revokes them.
 * If a revocation fails, the references stay on the record and repeating the request finishes the job.
 */
export const createUserAdministration = (deps: UserAdministrationDependencies): UserAdministration => {
  const { repository, clock } = deps;
  const now = (): string => new Date(clock.nowMs()).toISOString();

  const revokeAll = async (user: User, reason: SessionRevocationReason): Promise<number> => {
    const refs = user.sessionRefs ?? [];
    if (refs.length === 0) return 0;
    const revoked = await deps.revokeSessions(refs, reason);
    await repository.forgetSessions(user.username, refs);
    return revoked;
  };

  const found = async (username: string): Promise<User> => {
    const user = await repository.get(assertUsername(username));
    if (user === undefined) throw new UserNotFoundError();
    return user;
  };

  return {
    list: async () => [...(await repository.list())].sort(byUsername).map(toPublicUser),

    show: async (username) => toPublicUser(await found(username)),

    update: async (username, update) => {
      const changed = await repository.change(assertUsername(username), {
        ...(update.roles === undefined ? {} : { roles: update.roles }),
        ...(update.disabled === undefined ? {} : { disabled: update.disabled }),
        updatedAt: now(),
      });
      const revokes = update.roles !== undefined || update.disabled === true;
      const sessionsRevoked = revokes ? await revokeAll(changed, 'administrative') : 0;
      return { user: toPublicUser(changed), sessionsRevoked };
    },

    setPassword: async (username, password) => {
      // Hash first: a missing user costs a hash, and a hash never needs the record.
      assertUsername(username);
      if (deps.hashPassword === undefined) throw new TypeError('setPassword needs hashPassword');
      const passwordHash = await deps.hashPassword(password);
      const changed = await repository.change(username, { passwordHash, updatedAt: now() });
      return { user: toPublicUser(changed), sessionsRevoked: await revokeAll(changed, 'password_change') };
    },

    revokeSessions: async (username) => {
      const changed = await repository.change(assertUsername(username), { updatedAt: now() });
      return { user: toPublicUser(changed), sessionsRevoked: await revokeAll(changed, 'administrative') };
    },

    remove: async (username) => {
      const disabled = await repository.change(assertUsername(username), {
        disabled: true,
        updatedAt: now(),
      });
      const sessionsRevoked = await revokeAll(disabled, 'administrative');
      await repository.delete(username, disabled.revision ?? 0);
      return { user: toPublicUser(disabled), sessionsRevoked };
    },
  };
};
