import { jsonResponse, secureRoute } from 'bulwark';
import type * as z from 'zod';
import { appRoutes } from '../../routes.js';
import { order, orderInput } from './order-input.js';

/**
 * By the time this handler runs, Bulwark has authenticated the caller, checked the `user` role, spent one
 * token of its bucket (revocation proven in the same write) and validated the body strictly.
 */
export const route = secureRoute(
  appRoutes,
  'create-order',
  { body: orderInput, responses: { 201: { description: 'The order as placed', body: order } } },
  (runtime) =>
    async ({ body, principal, log }) => {
      const placed = {
        id: runtime.newId(),
        sku: body.sku,
        quantity: body.quantity,
        placed_by: principal?.id ?? 'unknown',
        placed_at: new Date(runtime.clock.nowMs()).toISOString(),
      } satisfies z.input<typeof order>;
      log.info('order placed', { order_id: placed.id });
      return jsonResponse(201, placed);
    },
);
