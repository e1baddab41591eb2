import type { Role, User } from './user.js';

/** A user as listings show it: never the password hash or the session references. */
export type UserSummary = Omit<User, 'passwordHash' | 'sessionRefs'>;

/** What an administrative change sets; every change also increments the record's revision. */
export interface UserChange {
  readonly roles?: readonly Role[];
  readonly disabled?: boolean;
  readonly passwordHash?: string;
  /** ISO 8601 instant of the change. */
  readonly updatedAt: string;
}

/**
 * Port for user storage. `create` throws UserAlreadyExistsError when the username is taken; `change`
 * and `delete` throw UserNotFoundError when there is no such user. Backend failures are
 * DependencyUnavailableError.
 */
export interface UsersRepository {
  readonly create: (user: User) => Promise<void>;
  /** Strongly consistent; undefined when no such user. */
  readonly get: (username: string) => Promise<User | undefined>;
  /** Every user, all pages, without hashes or session references. */
  readonly list: () => Promise<readonly UserSummary[]>;
  /**
   * One conditional write on an existing user: applies `change`, increments the revision and returns
   * the record after it, session references included (read atomically with the change, so a login
   * that started its session before the change is among them, and one after it fails its condition).
   */
  readonly change: (username: string, change: UserChange) => Promise<User>;
  /** Removes session references (revoked or stale); a reference not in the record is ignored. */
  readonly forgetSessions: (username: string, refs: readonly string[]) => Promise<void>;
  /**
   * Deletes the record if it is still at `revision` (UserChangedError otherwise, UserNotFoundError when
   * it is gone), so a change that raced the deletion is not lost silently.
   */
  readonly delete: (username: string, revision: number) => Promise<void>;
}
