import * as z from 'zod/mini';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { asPublicUserBody, publicUserBody } from '../../shared/domain/users/public-user-body.js';
import { roles, toPublicUser } from '../../shared/domain/users/user.js';
import { CredentialsInvalidError } from '../../shared/errors/auth-errors.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { usersFor } from '../../shared/runtime/users-for.js';

/** Who is calling: a user (access token), an API key, or the development principal (authentication off). */
const currentPrincipal = z
  .discriminatedUnion('kind', [
    z.extend(publicUserBody, { kind: z.literal('user') }),
    z.strictObject({ kind: z.literal('api_key'), key_id: z.string(), roles: z.array(z.enum(roles)) }),
    z.strictObject({ kind: z.literal('development'), roles: z.array(z.enum(roles)) }),
  ])
  .register(z.globalRegistry, { id: 'CurrentPrincipal' });

const responses = { 200: { description: 'The calling principal', body: currentPrincipal } } as const;

/** The caller: the user behind an access token, or the API key's id and roles. */
export const route = secureRoute(routes, 'current-user', { responses }, (runtime) => {
  const users = usersFor(runtime);
  return async ({ principal }) => {
    if (principal?.kind === 'user') {
      const user = await users.get(principal.username);
      // A user recreated under the same name is someone else: the old token's subject no longer exists.
      if (user === undefined || user.id !== principal.id) throw new CredentialsInvalidError('subject_gone');
      return jsonResponse(200, {
        kind: 'user',
        ...asPublicUserBody(toPublicUser(user)),
      } satisfies z.input<typeof currentPrincipal>);
    }
    if (principal?.kind === 'api_key')
      return jsonResponse(200, {
        kind: 'api_key',
        key_id: principal.id,
        roles: [...principal.roles],
      } satisfies z.input<typeof currentPrincipal>);
    return jsonResponse(200, {
      kind: 'development',
      roles: [...(principal?.roles ?? [])],
    } satisfies z.input<typeof currentPrincipal>);
  };
});
