import { type $ZodType, safeParse } from 'zod/v4/core';
import { fieldErrorsOf } from '../errors/field-errors.js';
import { RequestValidationError } from '../errors/request-errors.js';
import type { SecureMiddleware } from '../http/secure-request.js';

/**
 * Strict validation: schemas are strict objects (unknown fields are errors) and nothing is coerced,
 * so `"42"` is not a number. The problem lists field paths and messages, never values. Any zod 4 schema
 * works, classic or zod/mini (Bulwark's own routes use mini: a fraction of the cold start).
 */
export const validateBody = (options: { readonly schema: $ZodType }): SecureMiddleware => ({
  name: 'validateBody',
  before: (request) => {
    const state = request.context.bulwark;
    const result = safeParse(options.schema, state.body);
    if (!result.success) throw new RequestValidationError(fieldErrorsOf(result.error, state.body));
    state.body = result.data;
  },
});
