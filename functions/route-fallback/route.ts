import { routeFallback } from '../../shared/chain/route-fallback.js';
import { routes } from '../../shared/routes/route-table.js';

/** Preflight, 404 and 405 for Bulwark's own route table. */
export const route = routeFallback(routes);
