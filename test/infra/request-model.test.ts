import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { requestModelSchemaOf } from '../../infra/constructs/request-model.js';

describe('the API Gateway model of a zod body', () => {
  it('is draft 4, strict where the schema is strict, and never stricter than zod', () => {
    const model = requestModelSchemaOf(
      z.strictObject({
        name: z
          .string()
          .min(3)
          .max(10)
          .regex(/^[a-z]+$/),
        email: z.email().optional(),
        count: z.int().min(1).max(5),
        pattern: z.string(),
      }),
    );
    expect(model).toEqual({
      schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: {
        // 3 UTF-16 units can be 2 code points ('😀a'): the gateway asks for ceil(3 / 2).
        name: { type: 'string', minLength: 2, maxLength: 10 },
        // Formats and patterns are checked by zod only (another regex dialect, other format rules).
        email: { type: 'string' },
        // `1.0` is an integer to JavaScript, a decimal to Java: the gateway lets zod decide.
        count: { type: 'number', minimum: 1, maximum: 5 },
        // A property that happens to be named like a keyword keeps its schema.
        pattern: { type: 'string' },
      },
      required: ['name', 'count', 'pattern'],
      additionalProperties: false,
    });
  });

  it('leaves a loose object open, and drops additionalProperties with the patterns it depended on', () => {
    expect(requestModelSchemaOf(z.object({ a: z.string() }))).not.toHaveProperty('additionalProperties');
    const loosened = JSON.stringify(
      requestModelSchemaOf(z.strictObject({ tags: z.record(z.string().regex(/^t-/), z.string()) })),
    );
    expect(loosened).not.toContain('patternProperties');
    expect(loosened).not.toContain('^t-');
  });

  it('turns what JSON Schema cannot express into any value, and keeps unions and nulls', () => {
    const model = requestModelSchemaOf(
      z.strictObject({ when: z.date().optional(), limit: z.union([z.literal('unlimited'), z.null()]) }),
    ) as unknown as { properties: Record<string, unknown> };
    expect(model.properties.when).toEqual({});
    expect(model.properties.limit).toEqual({
      anyOf: [{ type: 'string', enum: ['unlimited'] }, { type: 'null' }],
    });
  });
});
