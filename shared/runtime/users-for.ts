import { dynamoDbUsersRepository } from '../adapters/dynamodb/dynamodb-users-repository.js';
import type { UsersRepository } from '../domain/users/users-repository.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

/** The users table, for every consumer (login, create-user, current-user, the local bootstrap). */
export const usersFor = perRuntime(
  (runtime): UsersRepository =>
    runtime.stores.users ??
    dynamoDbUsersRepository(
      runtime.dynamoDb(),
      requireSetting(tableDefinitions.users.environmentVariable, runtime.config.usersTableName),
    ),
);
