/**
 * A route's rate limit as the chain applies it (rateLimitOf): the `default` policy resolved from the
 * API_RATE_LIMIT_* settings, the failure mode from the route or SECURITY_LIMITER_FAILURE_MODE, fail-open
 * refused in production without its acknowledgement and logged wherever it is allowed, and the guard-rail
 * event a fail-open admission raises. Runtimes are built inside each test: a module-level one would be
 * shared by every test, so a change to its construction could go unnoticed.
 */
import { describe, expect, it } from 'vitest';
import { assertBodyAsDeclared, rateLimitOf } from '../../../shared/chain/route-security.js';
import type { HealthChangedEvent } from '../../../shared/domain/guardrails/guardrails.js';
import { ConfigurationError } from '../../../shared/errors/configuration-error.js';
import type { RouteDefinition, SecuredFunction } from '../../../shared/routes/route-definition.js';
import { testRuntime } from '../../support/test-runtime.js';

const securedRoute = (rateLimit: SecuredFunction['rateLimit']): SecuredFunction => ({
  id: 'orders-list',
  auth: 'required',
  rateLimit,
  tables: {},
  secrets: [],
  description: 'a route for these tests',
});

const production = { ENVIRONMENT: 'production', CORS_ALLOW_ORIGINS: 'https://app.example.com' };
const failOpenWarning = 'rate limiter fails open on this route: a DynamoDB outage admits every request';

const capture = () => {
  const events: HealthChangedEvent[] = [];
  return { events, sink: { publish: async (event: HealthChangedEvent) => void events.push(event) } };
};

describe('rateLimitOf: the policy', () => {
  it('resolves `default` to a fixed window of API_RATE_LIMIT_REQUESTS per API_RATE_LIMIT_WINDOW_SECONDS', () => {
    const runtime = testRuntime({ API_RATE_LIMIT_REQUESTS: '7', API_RATE_LIMIT_WINDOW_SECONDS: '30' });
    expect(rateLimitOf(runtime, securedRoute({ policy: 'default' })).policy).toEqual({
      kind: 'fixed_window',
      requests: 7,
      windowSeconds: 30,
    });
  });

  it("keeps a route's own policy as declared, whatever the default", () => {
    const runtime = testRuntime({ API_RATE_LIMIT_REQUESTS: '7', API_RATE_LIMIT_WINDOW_SECONDS: '30' });
    const own = { kind: 'token_bucket', burst: 3, perSeconds: 10 } as const;
    expect(rateLimitOf(runtime, securedRoute({ policy: own })).policy).toEqual(own);
  });

  it('keys the limit by the route id and passes the caller’s extras through', () => {
    const runtime = testRuntime();
    const exempt = () => false;
    const options = rateLimitOf(runtime, securedRoute({ policy: 'default' }), { exempt });
    expect(options.routeId).toBe('orders-list');
    expect(options.exempt).toBe(exempt);
  });
});

describe('rateLimitOf: the failure mode', () => {
  it('takes SECURITY_LIMITER_FAILURE_MODE when the route says nothing, and logs nothing for fail-closed', () => {
    const runtime = testRuntime({ SECURITY_LIMITER_FAILURE_MODE: 'fail-closed' });
    const options = rateLimitOf(runtime, securedRoute({ policy: 'default' }));
    expect(options.failureMode).toBe('fail-closed');
    expect(options.onFailOpen).toBeUndefined();
    expect(runtime.logs.messages('WARN')).toEqual([]);
  });

  it("lets the route's own failure mode win over the setting", () => {
    const runtime = testRuntime({ SECURITY_LIMITER_FAILURE_MODE: 'fail-closed' });
    const options = rateLimitOf(runtime, securedRoute({ policy: 'default', failureMode: 'fail-open' }));
    expect(options.failureMode).toBe('fail-open');
  });

  it('refuses at cold start, in production, a route set to fail open without the acknowledgement', () => {
    const runtime = testRuntime(production);
    let refusal: unknown;
    try {
      rateLimitOf(runtime, securedRoute({ policy: 'default', failureMode: 'fail-open' }));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigurationError);
    expect(refusal).toMatchObject({ variable: 'SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED' });
    expect((refusal as Error).message).toContain(
      'route orders-list is set to fail open; production requires the acknowledgement',
    );
  });

  it('accepts fail-open in production with the acknowledgement, and warns at cold start naming the route', () => {
    const runtime = testRuntime({ ...production, SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED: 'true' });
    const options = rateLimitOf(runtime, securedRoute({ policy: 'default', failureMode: 'fail-open' }));
    expect(options.failureMode).toBe('fail-open');
    const warnings = runtime.logs.entries().filter((entry) => entry.level === 'WARN');
    expect(warnings).toMatchObject([{ message: failOpenWarning, route: 'orders-list' }]);
  });

  it('accepts fail-open outside production without the acknowledgement, still with the warning', () => {
    const runtime = testRuntime({ SECURITY_LIMITER_FAILURE_MODE: 'fail-open' });
    expect(rateLimitOf(runtime, securedRoute({ policy: 'default' })).failureMode).toBe('fail-open');
    expect(runtime.logs.messages('WARN')).toEqual([failOpenWarning]);
  });

  it('raises limiter_fail_open with the route and the policy when a fail-open route admits a request', async () => {
    const { events, sink } = capture();
    const runtime = testRuntime(
      { SECURITY_LIMITER_FAILURE_MODE: 'fail-open' },
      { stores: { guardrailEvents: sink } },
    );
    const options = rateLimitOf(runtime, securedRoute({ policy: 'default' }));
    await options.onFailOpen?.({ route: 'orders-list', policy: 'fw-100-per-60s' });
    expect(events).toMatchObject([
      { kind: 'limiter_fail_open', subject: 'orders-list', facts: { policy: 'fw-100-per-60s' } },
    ]);
  });
});

describe('assertBodyAsDeclared: the module validates exactly the body its table entry declares', () => {
  const entry = (body?: RouteDefinition['body']): RouteDefinition => ({
    ...securedRoute({ policy: 'default' }),
    method: 'POST',
    path: '/orders',
    ...(body === undefined ? {} : { body }),
  });
  const schema = {};

  it('accepts a declared body the module validates, and no body on either side', () => {
    expect(() => assertBodyAsDeclared(entry({}), { body: schema })).not.toThrow();
    expect(() => assertBodyAsDeclared(entry(), {})).not.toThrow();
    expect(() =>
      assertBodyAsDeclared(entry({ optional: true }), { body: schema, emptyBody: {} }),
    ).not.toThrow();
  });

  it('refuses a declared body the module does not validate', () => {
    expect(() => assertBodyAsDeclared(entry({}), {})).toThrow(
      new TypeError(
        'Route orders-list: its table entry declares a body, but the route module validates none',
      ),
    );
  });

  it('refuses a validated body the entry does not declare, saying how to declare it', () => {
    expect(() => assertBodyAsDeclared(entry(), { body: schema })).toThrow(
      new TypeError(
        'Route orders-list: the route module validates a body its table entry does not declare; ' +
          'add `body: {}` to the entry, so API Gateway validates it too',
      ),
    );
  });

  it('refuses an optional body the module requires, and an empty body the entry does not allow', () => {
    const disagree = new TypeError(
      "Route orders-list: the entry's body.optional and the module's emptyBody must agree",
    );
    expect(() => assertBodyAsDeclared(entry({ optional: true }), { body: schema })).toThrow(disagree);
    expect(() => assertBodyAsDeclared(entry({}), { body: schema, emptyBody: {} })).toThrow(disagree);
  });
});
