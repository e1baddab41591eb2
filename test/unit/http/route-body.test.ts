import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { publicRoute } from '../../../shared/chain/public-route.js';
import { jsonResponse } from '../../../shared/http/json-response.js';
import {
  defaultLimit,
  defineRoutes,
  limiterUpdate,
  publicEntry,
  type RouteDefinition,
} from '../../../shared/routes/route-definition.js';
import { routes } from '../../../shared/routes/route-table.js';
import { testRuntime } from '../../support/test-runtime.js';

const declared = z.strictObject({ name: z.string() });

const entry = (body?: { optional?: boolean }) =>
  publicEntry({
    id: 'probe',
    method: 'POST',
    path: '/probe',
    rateLimit: defaultLimit,
    tables: { rateLimits: [limiterUpdate] },
    secrets: [],
    description: 'A route of this test only',
    ...(body === undefined ? {} : { body }),
  });

const build = (table: ReturnType<typeof defineRoutes>, options: { body?: z.ZodType; emptyBody?: unknown }) =>
  publicRoute(
    table as readonly [ReturnType<typeof entry>],
    'probe',
    { ...options, responses: { 200: { description: 'Probed' } } },
    () => async () => jsonResponse(200, {}),
  ).build(testRuntime());

describe('a route module and the body its table entry declares', () => {
  it('builds when the module validates a body where the entry declares one', async () => {
    await expect(build(defineRoutes([entry({})]), { body: declared })).resolves.toBeTypeOf('function');
  });

  it('refuses a module that validates a body the entry does not declare (API Gateway would not check it)', async () => {
    await expect(build(defineRoutes([entry()]), { body: declared })).rejects.toThrow(
      'add `body: {}` to the entry',
    );
  });

  it('refuses a module that validates no body where the entry declares one (no model, no check)', async () => {
    await expect(build(defineRoutes([entry({})]), {})).rejects.toThrow('validates none');
  });

  it('refuses an optional body on one side only', async () => {
    await expect(build(defineRoutes([entry({ optional: true })]), { body: declared })).rejects.toThrow(
      'must agree',
    );
    await expect(build(defineRoutes([entry({})]), { body: declared, emptyBody: {} })).rejects.toThrow(
      'must agree',
    );
  });

  it('declares a body on every Bulwark route whose module takes one, passwords marked where one is sent', () => {
    const table: readonly RouteDefinition[] = routes;
    const withBodies = table.filter((route) => route.body !== undefined).map((route) => route.id);
    expect(withBodies.sort()).toEqual(
      [
        'create-api-key',
        'create-user',
        'login',
        'logout',
        'refresh-token',
        'rotate-api-key',
        'set-user-password',
        'summarize-errors',
        'update-api-key',
        'update-user',
        'put-datasource',
        'publish-datasource-event',
        'introspect-datasource-token',
        'consume-rate-limit',
      ].sort(),
    );
    const withPasswords = table.filter((route) => route.body?.carriesPassword === true).map((r) => r.id);
    expect(withPasswords.sort()).toEqual(['create-user', 'login', 'set-user-password']);
  });
});
