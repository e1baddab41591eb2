/**
 * fieldErrorsOf: zod issues as RFC 6901 JSON pointers with messages written from the schema, never from
 * the rejected input; unknown keys listed one by one; a bounded list.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createUserInput } from '../../../shared/domain/users/create-user-input.js';
import { fieldErrorsOf } from '../../../shared/errors/field-errors.js';

const errorsFor = (schema: z.core.$ZodType, input: unknown) => {
  const result = z.safeParse(schema, input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return fieldErrorsOf(result.error, input);
};

describe('fieldErrorsOf paths', () => {
  it('escapes "~" as ~0 and "/" as ~1, in that order (RFC 6901)', () => {
    const schema = z.strictObject({});
    const paths = errorsFor(schema, { 'a/b': 1, 'm~n': 1, '~1': 1, '/~': 1 }).map((error) => error.path);
    expect(paths).toEqual(['/a~1b', '/m~0n', '/~01', '/~1~0']);
  });

  it('addresses array items by index and nested objects by key', () => {
    const schema = z.strictObject({
      roles: z.array(z.enum(['user', 'admin'])),
      profile: z.strictObject({ name: z.string() }),
    });
    expect(errorsFor(schema, { roles: ['user', 'root'], profile: { name: 7 } })).toEqual([
      { path: '/roles/1', message: 'must be one of: "user", "admin"' },
      { path: '/profile/name', message: 'must be of type string' },
    ]);
  });

  it('uses the empty pointer for the whole document', () => {
    expect(errorsFor(createUserInput, ['not', 'an', 'object'])).toEqual([
      { path: '', message: 'must be of type object' },
    ]);
  });

  it('caps a client-chosen key at 64 characters before escaping it', () => {
    const longKey = `${'k'.repeat(70)}`;
    expect(errorsFor(z.strictObject({}), { [longKey]: 1 })).toEqual([
      { path: `/${'k'.repeat(64)}`, message: 'is not an allowed field' },
    ]);
  });
});

describe('fieldErrorsOf unknown keys', () => {
  it('lists every unknown key as its own error', () => {
    const errors = errorsFor(createUserInput, {
      username: 'alice',
      password: 'correct horse battery',
      isAdmin: true,
      role: 'admin',
    });
    expect(errors).toEqual([
      { path: '/isAdmin', message: 'is not an allowed field' },
      { path: '/role', message: 'is not an allowed field' },
    ]);
  });

  it('lists unknown keys of nested strict objects under their parent', () => {
    const schema = z.strictObject({ profile: z.strictObject({ name: z.string() }) });
    expect(errorsFor(schema, { profile: { name: 'a', admin: true } })).toEqual([
      { path: '/profile/admin', message: 'is not an allowed field' },
    ]);
  });

  it('lists a "__proto__" key sent in JSON as an unknown field', () => {
    const input: unknown = JSON.parse('{"quantity":1,"__proto__":{"isAdmin":true}}');
    expect(errorsFor(z.strictObject({ quantity: z.number() }), input)).toEqual([
      { path: '/__proto__', message: 'is not an allowed field' },
    ]);
  });
});

describe('fieldErrorsOf messages', () => {
  const schema = z.strictObject({
    quantity: z.number().int().min(1).max(10),
    name: z.string().min(3).max(5),
    tags: z.array(z.string()).min(1).max(2),
    email: z.email(),
    code: z.string().regex(/^[a-z]+$/),
    even: z.number().refine((value) => value % 2 === 0, 'must be even'),
  });

  it.each([
    ['a missing field', {}, 'quantity', 'is required'],
    ['an explicit null', { quantity: null }, 'quantity', 'must be of type number'],
    ['"42" for a number (nothing is coerced)', { quantity: '42' }, 'quantity', 'must be of type number'],
    ['a boolean for a string', { name: true }, 'name', 'must be of type string'],
    ['a number below the minimum', { quantity: 0 }, 'quantity', 'must be at least 1'],
    ['a number above the maximum', { quantity: 11 }, 'quantity', 'must be at most 10'],
    ['a string too short', { name: 'ab' }, 'name', 'must be at least 3 characters'],
    ['a string too long', { name: 'abcdef' }, 'name', 'must be at most 5 characters'],
    ['an empty list', { tags: [] }, 'tags', 'must have at least 1 items'],
    ['a list too long', { tags: ['a', 'b', 'c'] }, 'tags', 'must have at most 2 items'],
    ['a malformed email', { email: 'not-an-email' }, 'email', 'must be a valid email'],
    ['a string failing a pattern', { code: 'ABC' }, 'code', 'has an invalid format'],
    ['a failed refinement', { even: 3 }, 'even', 'must be even'],
  ])('describes %s', (_, input, field, message) => {
    const errors = errorsFor(schema, input).filter((error) => error.path === `/${field}`);
    expect(errors).toEqual([{ path: `/${field}`, message }]);
  });

  it('never repeats the rejected values', () => {
    const sentinel = 'SENTINEL-c0ffee-secret';
    const errors = errorsFor(schema, {
      quantity: sentinel,
      name: `${sentinel}-too-long`,
      tags: sentinel,
      email: sentinel,
      code: sentinel,
      even: sentinel,
    });
    expect(errors.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(errors)).not.toContain('SENTINEL');
  });

  it('never repeats a rejected password from the create-user schema', () => {
    const password = 'pw-SENTINEL-€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€';
    const errors = errorsFor(createUserInput, { username: 'alice', password });
    expect(errors).toEqual([{ path: '/password', message: 'must be at most 72 bytes in UTF-8' }]);
    expect(JSON.stringify(errors)).not.toContain('SENTINEL');
  });

  it('reports one error per path: the first one zod finds', () => {
    const errors = errorsFor(
      z.strictObject({
        code: z
          .string()
          .min(5)
          .regex(/^[a-z]+$/),
      }),
      { code: 'A1' },
    );
    expect(errors).toEqual([{ path: '/code', message: 'must be at least 5 characters' }]);
  });
});

describe('fieldErrorsOf size', () => {
  it('returns at most 20 errors however many the input causes', () => {
    const input = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`extra${index}`, index]));
    const errors = errorsFor(z.strictObject({}), input);
    expect(errors).toHaveLength(20);
    expect(errors[0]).toEqual({ path: '/extra0', message: 'is not an allowed field' });
    expect(errors[19]).toEqual({ path: '/extra19', message: 'is not an allowed field' });
  });

  it('caps a mix of type errors and unknown keys at 20 as well', () => {
    const schema = z.strictObject(
      Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`f${i}`, z.number()])),
    );
    const input = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`x${i}`, i]));
    expect(errorsFor(schema, input)).toHaveLength(20);
  });
});
