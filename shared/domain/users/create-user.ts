import type { Clock } from '../clock.js';
import type { CreateUserInput } from './create-user-input.js';
import { type PublicUser, toPublicUser, type User } from './user.js';
import type { UsersRepository } from './users-repository.js';

export interface CreateUserDependencies {
  readonly repository: UsersRepository;
  readonly hashPassword: (password: string) => Promise<string>;
  readonly newId: () => string;
  readonly clock: Clock;
}

export const createUser = async (
  deps: CreateUserDependencies,
  input: CreateUserInput,
): Promise<PublicUser> => {
  const user: User = {
    id: deps.newId(),
    username: input.username,
    email: input.email,
    roles: input.roles ?? ['user'],
    passwordHash: await deps.hashPassword(input.password),
    createdAt: new Date(deps.clock.nowMs()).toISOString(),
  };
  await deps.repository.create(user);
  return toPublicUser(user);
};
