import * as z from 'zod/mini';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { asFullHealthBody, fullHealthBody } from '../../shared/domain/health/full-health-body.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { fullHealthFor } from '../../shared/runtime/full-health-for.js';

/**
 * Every backend checked within a time budget, the signing-key age, limiter counters and guard-rail state,
 * for the admin and health roles; `no-store`. A backend down is a 503 naming it.
 */
const responses = {
  200: {
    description: 'Every backend answered within its budget (`degraded`: a guard rail is breached)',
    body: fullHealthBody,
    headers: z.strictObject({ 'Cache-Control': z.literal('no-store') }),
  },
} as const;

export const route = secureRoute(
  routes,
  'health-full',
  { responses, problems: ['service-unavailable'] },
  (runtime) => {
    const check = fullHealthFor(runtime);
    return async () => jsonResponse(200, asFullHealthBody(await check()), { 'Cache-Control': 'no-store' });
  },
);
