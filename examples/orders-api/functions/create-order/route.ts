import { jsonResponse, secureRoute } from 'bulwark';
import { appRoutes } from '../../routes.js';
import { orderInput } from './order-input.js';

/**
 * By the time this handler runs, Bulwark has authenticated the caller, checked the `user` role, spent one
 * token of its bucket (revocation proven in the same write) and validated the body strictly.
 */
export const route = secureRoute(
  appRoutes,
  'create-order',
  { body: orderInput },
  (runtime) =>
    async ({ body, principal, log }) => {
      const order = {
        id: runtime.newId(),
        sku: body.sku,
        quantity: body.quantity,
        placed_by: principal?.id ?? 'unknown',
        placed_at: new Date(runtime.clock.nowMs()).toISOString(),
      };
      log.info('order placed', { order_id: order.id });
      return jsonResponse(201, order);
    },
);
