import * as z from 'zod';

/** `POST /api/v1/orders`: strict, so an unknown field (`price`, `status`, ...) is a 422, never ignored. */
export const orderInput = z.strictObject({
  sku: z.string().regex(/^[A-Z0-9-]{3,32}$/, 'must be 3-32 of A-Z, 0-9 and -'),
  quantity: z.int().min(1).max(100),
  note: z.string().max(200).optional(),
});

/** `201` answer: the order as placed, with who placed it and when. */
export const order = z
  .strictObject({
    id: z.string(),
    sku: orderInput.shape.sku,
    quantity: orderInput.shape.quantity,
    placed_by: z.string(),
    placed_at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Order' });
