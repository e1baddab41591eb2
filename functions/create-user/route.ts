import bcrypt from 'bcryptjs';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { createUser } from '../../shared/domain/users/create-user.js';
import { createUserInput } from '../../shared/domain/users/create-user-input.js';
import { asPublicUserBody, publicUserBody } from '../../shared/domain/users/public-user-body.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { usersFor } from '../../shared/runtime/users-for.js';

const responses = { 201: { description: 'The new user', body: publicUserBody } } as const;

/** An admin creates a user; 409 when the username is taken (one conditional write, no read). */
export const route = secureRoute(
  routes,
  'create-user',
  { body: createUserInput, responses, problems: ['user-already-exists'] },
  (runtime) => {
    const dependencies = {
      repository: usersFor(runtime),
      hashPassword: (password: string) => bcrypt.hash(password, runtime.config.passwordBcryptCost),
      newId: runtime.newId,
      clock: runtime.clock,
    };
    return async ({ body, log }) => {
      const user = await createUser(dependencies, body);
      log.info('user created', { user_id: user.id });
      return jsonResponse(201, asPublicUserBody(user));
    };
  },
);
