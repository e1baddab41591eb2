import * as z from 'zod';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { apiKeyViewBody, asApiKeyViewBody } from '../../shared/domain/api-keys/api-key-bodies.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { apiKeysFor } from '../../shared/runtime/api-keys-for.js';

/** Every key's metadata, never a secret or its hash. */
const keyList = z.strictObject({ keys: z.array(apiKeyViewBody) }).meta({ id: 'ApiKeyList' });

const responses = { 200: { description: 'Every key, revoked ones included', body: keyList } } as const;

export const route = secureRoute(routes, 'list-api-keys', { responses }, (runtime) => {
  const { apiKeys } = apiKeysFor(runtime);
  return async () =>
    jsonResponse(200, {
      keys: (await apiKeys.list()).map(asApiKeyViewBody),
    } satisfies z.input<typeof keyList>);
});
