import * as z from 'zod/mini';
import { publicRoute } from '../../shared/chain/public-route.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';

/** Liveness: answers 200 when the chain (and the limiter's DynamoDB) can. */
const responses = {
  200: { description: 'The chain and the limiter answer', body: z.strictObject({ status: z.literal('ok') }) },
} as const;

export const route = publicRoute(
  routes,
  'health',
  { responses },
  () => async () => jsonResponse(200, { status: 'ok' } satisfies z.input<(typeof responses)[200]['body']>),
);
