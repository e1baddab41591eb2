/** validateBody on its own: the parsed value replaces the body; a mismatch is 422 with field errors. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { RequestValidationError } from '../../../shared/errors/request-errors.js';
import { importFresh } from '../../support/import-fresh.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { secureRequestOf } from '../../support/secure-request-of.js';

type ValidateModule = typeof import('../../../shared/middlewares/validate-body.js');
// Loaded afresh for each test, so the factory itself (a module constant) is mutation-tested too.
let validateBody: ValidateModule['validateBody'];
beforeEach(async () => {
  ({ validateBody } = await importFresh<ValidateModule>(
    new URL('../../../shared/middlewares/validate-body.js', import.meta.url),
  ));
});

const schema = z.strictObject({ name: z.string().trim() });

const validate = (body: unknown) => {
  const { request } = secureRequestOf();
  request.context.bulwark.body = body;
  return Promise.resolve()
    .then(() => validateBody({ schema }).before?.(request))
    .then(() => request.context.bulwark.body);
};

describe('validateBody', () => {
  it('replaces the body with what the schema made of it', async () => {
    expect(await validate({ name: '  alice ' })).toEqual({ name: 'alice' });
  });

  it('refuses a mismatch with 422 and field errors that never repeat the value', async () => {
    const error = await rejectionOf(validate({ name: 42, password: 'hunter2' }));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).errors).toEqual([
      { path: '/name', message: 'must be of type string' },
      { path: '/password', message: 'is not an allowed field' },
    ]);
  });
});
