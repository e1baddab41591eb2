import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type CfnFunction, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/config.js';
import { type ApiRoute, RouteApi } from '../../infra/constructs/route-api.js';

type Json = Record<string, unknown>;

/** Routes that are not Bulwark's: RouteApi builds whatever list it is given. */
const teamRoutes: readonly ApiRoute[] = [
  { id: 'list-orders', method: 'GET', path: '/orders' },
  { id: 'create-order', method: 'POST', path: '/orders' },
  { id: 'get-order', method: 'GET', path: '/shop/orders/{order_id}' },
];

const build = (routes: readonly ApiRoute[], handlerIds: readonly string[]) => {
  const app = new App();
  const stack = new Stack(app, 'TeamApi', { env: { account: '123456789012', region: 'eu-west-1' } });
  const functions = new Map(
    [...handlerIds, 'fallback'].map((id) => [
      id,
      new LambdaFunction(stack, id, {
        runtime: Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => ({ statusCode: 204 });'),
      }),
    ]),
  );
  const { fallback, ...handlers } = Object.fromEntries(functions);
  if (fallback === undefined) throw new Error('no fallback');
  new RouteApi(stack, 'Api', {
    description: 'A team API',
    config: stageConfig('dev'),
    routes,
    handlers: new Map(Object.entries(handlers)),
    fallback,
    edgeHeaders: { 'X-Content-Type-Options': 'nosniff' },
  });
  /** Which function a method's integration URI invokes. */
  const targetOf = (uri: string): string =>
    [...functions].find(([, fn]) =>
      uri.includes(stack.getLogicalId(fn.node.defaultChild as CfnFunction)),
    )?.[0] ?? '?';
  return { stack, targetOf };
};

describe('RouteApi', () => {
  it('builds a method per route of any route list, and the fallback behind ANY everywhere else', () => {
    const { stack, targetOf } = build(
      teamRoutes,
      teamRoutes.map((route) => route.id),
    );
    const template = Template.fromStack(stack);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as {
      Properties: Json;
    }[];
    const summary = methods
      .map(({ Properties }) => {
        const target = targetOf(JSON.stringify((Properties.Integration as Json).Uri));
        return `${String(Properties.HttpMethod)} -> ${target}`;
      })
      .sort();
    // ANY on /, /orders, /shop, /shop/orders, /shop/orders/{order_id} and /{proxy+}.
    expect(summary).toEqual([
      ...Array.from({ length: 6 }, () => 'ANY -> fallback'),
      'GET -> get-order',
      'GET -> list-orders',
      'POST -> create-order',
    ]);
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 21);
  });

  it('refuses a route without a handler at synth', () => {
    expect(() => build(teamRoutes, ['list-orders', 'create-order'])).toThrow(
      'RouteApi: no handler for route "get-order"',
    );
  });
});
