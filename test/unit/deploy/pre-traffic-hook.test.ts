import { tmpdir } from 'node:os';
/**
 * The pre-traffic hook: the verdict and the synthetic request are checked against the real route modules
 * (built on the test runtime, so the request is one the chain really answers), and the handler's calls to
 * CodeDeploy and Lambda, which have no local stand-in, against aws-sdk-client-mock.
 */
import {
  CodeDeployClient,
  GetApplicationRevisionCommand,
  GetDeploymentCommand,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type PreTrafficSettings,
  preTrafficSettingsFrom,
  probeFor,
  releaseTargetOf,
  syntheticEventOf,
  verdictOf,
} from '../../../functions/pre-traffic-hook/pre-traffic-check.js';
import type { LoginThrottleStore } from '../../../shared/domain/login-throttle/login-throttle-store.js';
import type { ConnectionGateway } from '../../../shared/domain/realtime/connection-gateway.js';
import type { RealtimeStore } from '../../../shared/domain/realtime/realtime-store.js';
import type { UsersRepository } from '../../../shared/domain/users/users-repository.js';
import type { RouteDefinition } from '../../../shared/routes/route-definition.js';
import { routes } from '../../../shared/routes/route-table.js';
import { lambdaContext, testRuntime } from '../../support/test-runtime.js';

const host = 'abc123.execute-api.eu-west-1.amazonaws.com';
const settings: PreTrafficSettings = {
  host,
  stage: 'prod',
  probes: (routes as readonly RouteDefinition[]).map((route) => ({
    functionName: `fn-${route.id}`,
    method: route.method,
    path: route.path,
    jsonBody: route.body !== undefined,
  })),
};

/** Invoke's payload as the SDK types it (a byte array with string helpers the handler does not use). */
const payloadOf = (text: string): InvokeCommandOutput['Payload'] =>
  new TextEncoder().encode(text) as unknown as InvokeCommandOutput['Payload'];

const appSpec = (name: string, target: string) =>
  JSON.stringify({
    version: 0.0,
    Resources: [
      {
        HealthFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { Name: name, Alias: 'live', CurrentVersion: '3', TargetVersion: target },
        },
      },
    ],
  });

describe('the pre-traffic verdict', () => {
  it('reads the function and the version a deployment releases from its AppSpec', () => {
    expect(releaseTargetOf(appSpec('fn-health', '4'))).toEqual({ functionName: 'fn-health', version: '4' });
    expect(() => releaseTargetOf('{"Resources": []}')).toThrow();
    expect(() => releaseTargetOf('not json')).toThrow();
  });

  it('finds the probe of a function by name or ARN, and refuses a function it does not know', () => {
    expect(probeFor(settings, 'arn:aws:lambda:eu-west-1:1:function:fn-login').path).toBe('/auth/login');
    expect(() => probeFor(settings, 'fn-unknown')).toThrow('No pre-traffic probe');
  });

  it.each(routes.map((route) => [route.id] as const))(
    'gets an answer below 500 with the chain headers from the real %s route, with no credential',
    async (routeId) => {
      const { route } = (await import(`../../../functions/${routeId}/route.ts`)) as {
        route: {
          build: (
            runtime: unknown,
          ) => Promise<(event: APIGatewayProxyEvent, context: unknown) => Promise<unknown>>;
        };
      };
      // The probe carries no credential and an empty body: no user or login streak is ever touched.
      const untouched = <T>(what: string): T =>
        new Proxy({}, { get: () => () => Promise.reject(new Error(`the probe touched ${what}`)) }) as T;
      const handler = await route.build(
        testRuntime(
          {
            TRUSTED_HOSTS: host,
            CORS_ALLOW_ORIGINS: 'https://app.example.com',
            // summarize-errors builds its log source at set-up; the probe never reaches it (no credential).
            TRIAGE_LOCAL_LOG_DIR: tmpdir(),
            // The datasource token mint reads the gateway's URL at set-up (the CDK stack sets it).
            REALTIME_URL: 'wss://realtime.example.com/prod',
          },
          {
            stores: {
              users: untouched<UsersRepository>('a user'),
              loginThrottle: untouched<LoginThrottleStore>('a login streak'),
              realtime: untouched<RealtimeStore>('the realtime table'),
              connections: untouched<ConnectionGateway>('a WebSocket connection'),
            },
          },
        ),
      );
      const probe = probeFor(settings, `fn-${routeId}`);
      const answer = await handler(
        syntheticEventOf(probe, settings, 'req-1') as unknown as APIGatewayProxyEvent,
        lambdaContext(),
      );
      const verdict = verdictOf({ statusCode: 200, payload: JSON.stringify(answer) });
      expect(verdict, JSON.stringify(answer).slice(0, 300)).toMatchObject({ ok: true });
    },
  );

  it('fails a version that threw, answered 5xx, answered no HTTP result or left the chain out', () => {
    expect(verdictOf({ statusCode: 200, functionError: 'Unhandled', payload: '{}' }).ok).toBe(false);
    expect(verdictOf({ statusCode: 500 }).ok).toBe(false);
    expect(verdictOf({ statusCode: 200, payload: 'oops' }).ok).toBe(false);
    const headers = { 'x-request-id': 'r', 'Strict-Transport-Security': 'max-age=1' };
    expect(verdictOf({ statusCode: 200, payload: JSON.stringify({ statusCode: 503, headers }) }).ok).toBe(
      false,
    );
    expect(verdictOf({ statusCode: 200, payload: JSON.stringify({ statusCode: 200, headers: {} }) }).ok).toBe(
      false,
    );
    expect(verdictOf({ statusCode: 200, payload: JSON.stringify({ statusCode: 401, headers }) }).ok).toBe(
      true,
    );
  });

  it('refuses settings without probes, host or stage', () => {
    expect(() => preTrafficSettingsFrom({})).toThrow();
    expect(() =>
      preTrafficSettingsFrom({
        BULWARK_PRE_TRAFFIC_PROBES: '[]',
        BULWARK_API_HOST: host,
        BULWARK_API_STAGE: 'p',
      }),
    ).toThrow();
  });
});

describe('the pre-traffic hook handler', () => {
  const codeDeploy = mockClient(CodeDeployClient);
  const lambda = mockClient(LambdaClient);
  let handler: (event: { DeploymentId: string; LifecycleEventHookExecutionId: string }) => Promise<void>;
  beforeAll(async () => {
    process.env.BULWARK_PRE_TRAFFIC_PROBES = JSON.stringify(settings.probes);
    process.env.BULWARK_API_HOST = host;
    process.env.BULWARK_API_STAGE = 'prod';
    ({ handler } = await import('../../../functions/pre-traffic-hook/handler.js'));
  });
  afterEach(() => {
    codeDeploy.reset();
    lambda.reset();
  });

  const event = { DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'hook-1' };
  const reported = () =>
    codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((call) => call.args[0].input);

  it('invokes the released version with its route request and reports Succeeded when the chain answered', async () => {
    codeDeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: {
        applicationName: 'app',
        revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec('fn-health', '7') } },
      },
    });
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: payloadOf(
        JSON.stringify({
          statusCode: 200,
          headers: { 'x-request-id': 'r', 'strict-transport-security': 'x' },
        }),
      ),
    });
    await handler(event);
    const invoke = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(invoke).toMatchObject({ FunctionName: 'fn-health', Qualifier: '7' });
    const sent = JSON.parse(new TextDecoder().decode(invoke?.Payload as Uint8Array)) as APIGatewayProxyEvent;
    expect(sent).toMatchObject({ httpMethod: 'GET', path: '/health', headers: { Host: host } });
    expect(reported()).toEqual([
      { deploymentId: 'd-123', lifecycleEventHookExecutionId: 'hook-1', status: 'Succeeded' },
    ]);
  });

  it('reads the AppSpec from the application revision when the deployment does not carry it', async () => {
    codeDeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: { applicationName: 'app', revision: { revisionType: 'String' } },
    });
    codeDeploy
      .on(GetApplicationRevisionCommand)
      .resolves({ revision: { revisionType: 'String', string: { content: appSpec('fn-health', '8') } } });
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payloadOf('{}') });
    await handler(event);
    expect(lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Qualifier).toBe('8');
    expect(reported()[0]?.status).toBe('Failed');
  });

  it('reports Failed, never nothing, when it cannot even find what to call', async () => {
    codeDeploy.on(GetDeploymentCommand).rejects(new Error('AccessDenied'));
    await handler(event);
    expect(lambda.commandCalls(InvokeCommand)).toEqual([]);
    expect(reported()[0]?.status).toBe('Failed');
  });
});
