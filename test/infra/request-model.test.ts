import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { bulwarkRouteModules } from '../../infra/bulwark-route-modules.js';
import { stageConfig } from '../../infra/config.js';
import { BulwarkApi } from '../../infra/constructs/bulwark-api.js';
import { requestModelSchemaOf } from '../../infra/constructs/request-model.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import type { RouteDefinition } from '../../shared/routes/route-definition.js';
import { routes } from '../../shared/routes/route-table.js';

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

describe("the request models of Bulwark's routes", () => {
  it('come from the route modules, whose bodies are zod/mini or classic: every route with a body has one', () => {
    const table: readonly RouteDefinition[] = routes;
    for (const route of table.filter((candidate) => candidate.body !== undefined)) {
      const schema = bulwarkRouteModules.find((module) => module.id === route.id)?.contract?.body;
      expect(schema, route.id).toBeDefined();
      const model = requestModelSchemaOf(schema as z.core.$ZodType);
      // Publishing takes any JSON value (the event's data): its model has no type, so any JSON passes.
      expect(model.type, route.id).toBe(route.id === 'publish-datasource-event' ? undefined : 'object');
    }
  });

  it('refuse at synth a route whose entry declares a body when no module gives its schema', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = stageConfig('dev');
    const data = new DataStack(app, 'Data', { config });
    const stack = new Stack(app, 'Api');
    expect(
      () =>
        new BulwarkApi(stack, 'Api', {
          config,
          tables: data.tables,
          secrets: data.secrets,
          routes,
          modules: [],
        }),
    ).toThrow(/route login declares a body, but no route module/);
  });
});
