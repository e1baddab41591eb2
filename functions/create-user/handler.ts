import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { dynamoDbUsersRepository } from '../../shared/adapters/dynamodb/dynamodb-users-repository.js';
import { createUser } from '../../shared/domain/users/create-user.js';
import { createUserInput } from '../../shared/domain/users/create-user-input.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { createSecureHandler } from '../../shared/http/secure-handler.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { requireSetting } from '../../shared/runtime/require-setting.js';
import { routeSecurity } from '../../shared/runtime/route-security.js';
import { tableDefinitions } from '../../shared/tables/table-definitions.js';

const runtime = loadRuntime();
const { config } = runtime;
const users = tableDefinitions.users;
const dependencies = {
  repository: dynamoDbUsersRepository(
    runtime.dynamoDb(),
    requireSetting(users.environmentVariable, config.usersTableName),
  ),
  hashPassword: (password: string) => bcrypt.hash(password, config.passwordBcryptCost),
  newId: randomUUID,
  clock: runtime.clock,
};

export const handler = await createSecureHandler(
  runtime,
  { ...routeSecurity(runtime, 'create-user'), body: createUserInput },
  async ({ body, log }) => {
    const user = await createUser(dependencies, body);
    log.info('user created', { user_id: user.id });
    return jsonResponse(201, user);
  },
);
