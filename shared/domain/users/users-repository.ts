import type { User } from './user.js';

/** Port for user storage. `create` throws UserAlreadyExistsError when the username is taken. */
export interface UsersRepository {
  readonly create: (user: User) => Promise<void>;
  /** Strongly consistent; undefined when no such user. */
  readonly get: (username: string) => Promise<User | undefined>;
}
