import type * as z from 'zod';
import { fieldErrorsOf } from '../errors/field-errors.js';
import { RequestValidationError } from '../errors/request-errors.js';
import type { SecureMiddleware } from '../http/secure-request.js';

/**
 * Strict validation: schemas are strict objects (unknown fields are errors) and nothing is coerced,
 * so `"42"` is not a number. The problem lists field paths and messages, never values.
 */
export const validateBody = (options: { readonly schema: z.ZodType }): SecureMiddleware => ({
  name: 'validateBody',
  before: (request) => {
    const state = request.context.bulwark;
    const result = options.schema.safeParse(state.body);
    if (!result.success) throw new RequestValidationError(fieldErrorsOf(result.error, state.body));
    state.body = result.data;
  },
});
