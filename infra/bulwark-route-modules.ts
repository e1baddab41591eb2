import { route as consumeRateLimit } from '../functions/consume-rate-limit/route.js';
import { route as createApiKey } from '../functions/create-api-key/route.js';
import { route as createUser } from '../functions/create-user/route.js';
import { route as introspectDatasourceToken } from '../functions/introspect-datasource-token/route.js';
import { route as login } from '../functions/login/route.js';
import { route as logout } from '../functions/logout/route.js';
import { route as publishDatasourceEvent } from '../functions/publish-datasource-event/route.js';
import { route as putDatasource } from '../functions/put-datasource/route.js';
import { route as refreshToken } from '../functions/refresh-token/route.js';
import { route as rotateApiKey } from '../functions/rotate-api-key/route.js';
import { route as setUserPassword } from '../functions/set-user-password/route.js';
import { route as summarizeErrors } from '../functions/summarize-errors/route.js';
import { route as updateApiKey } from '../functions/update-api-key/route.js';
import { route as updateUser } from '../functions/update-user/route.js';
import type { RouteModule } from '../shared/chain/route-module.js';

/**
 * The route modules of Bulwark's routes that take a JSON body: BulwarkApi generates each method's API
 * Gateway request model from the body schema of its module's contract (the schema the function itself
 * validates with). Read at synth only; no function bundles this file. A route of the table that declares a
 * body and is missing here fails the synth.
 */
export const bulwarkRouteModules: readonly RouteModule[] = [
  login,
  refreshToken,
  logout,
  createUser,
  createApiKey,
  updateApiKey,
  rotateApiKey,
  updateUser,
  setUserPassword,
  summarizeErrors,
  putDatasource,
  publishDatasourceEvent,
  introspectDatasourceToken,
  consumeRateLimit,
];
