import { publicRoute } from '../../shared/chain/public-route.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';

/** Liveness: answers 200 when the chain (and the limiter's DynamoDB) can. */
export const route = publicRoute(routes, 'health', {}, () => async () => jsonResponse(200, { status: 'ok' }));
