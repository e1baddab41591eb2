import { App } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StageOptions, stageConfig } from '../../infra/config.js';
import { ApiStack } from '../../infra/stacks/api-stack.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { realtimeGateway } from '../../shared/routes/realtime-gateway.js';
import { routes } from '../../shared/routes/route-table.js';
import { mergedTemplateOf } from '../support/stack-templates.js';
import { cdkContext, stubFunctionEntries } from '../support/stub-function-entries.js';

type Json = Record<string, unknown>;

let stubRoot: string;
let removeStubs: () => void;
beforeAll(() => {
  ({ root: stubRoot, remove: removeStubs } = stubFunctionEntries('bulwark-emergency-'));
});
afterAll(() => removeStubs());

const synth = (stage: 'dev' | 'prod', options: StageOptions = {}) => {
  const app = new App({
    context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false },
  });
  const config = stageConfig(stage, options);
  const env = { account: '123456789012', region: 'eu-west-1' };
  const data = new DataStack(app, `Bulwark-${stage}-Data`, { config, env });
  const api = new ApiStack(app, `Bulwark-${stage}-Api`, {
    config,
    env,
    tables: data.tables,
    secrets: data.secrets,
    projectRoot: stubRoot,
  });
  return { api, template: mergedTemplateOf(api) };
};

const aliasTargets = (template: Template): Map<string, string> => {
  const aliases = template.findResources('AWS::Lambda::Alias') as Record<string, { Properties: Json }>;
  return new Map(
    Object.entries(aliases).map(([id, { Properties }]) => [id, JSON.stringify(Properties.FunctionVersion)]),
  );
};

const failOpen = {
  SECURITY_LIMITER_FAILURE_MODE: 'fail-open',
  SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED: 'true',
};

describe('emergency overrides of stage settings', () => {
  it('are parsed like the stage file: unknown or infrastructure variables and bad values fail the synth', () => {
    expect(() => stageConfig('dev', { overrides: { NO_SUCH_SETTING: '1' } })).toThrow(
      /Cannot override NO_SUCH_SETTING/,
    );
    expect(() => stageConfig('dev', { overrides: { RATE_LIMITS_TABLE_NAME: 'x' } })).toThrow(
      /Cannot override/,
    );
    expect(() => stageConfig('dev', { overrides: { API_RATE_LIMIT_REQUESTS: '0' } })).toThrow(
      /API_RATE_LIMIT_REQUESTS/,
    );
    expect(() => stageConfig('dev', { release: 'yolo' })).toThrow(/Unknown release "yolo"/);
  });

  it('let production fail open only as an acknowledged override, never from the stage file', () => {
    expect(() => stageConfig('prod', { overrides: { SECURITY_LIMITER_FAILURE_MODE: 'fail-open' } })).toThrow(
      /SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED=true/,
    );
    const config = stageConfig('prod', { overrides: failOpen });
    expect(config.runtime.rateLimit.failureMode).toBe('fail-open');
    expect(config.overridden).toEqual(Object.keys(failOpen).sort());
    expect(stageConfig('prod').overridden).toEqual([]);
    expect(stageConfig('prod').release).toBe('canary');
  });

  it('reach every function as a new version behind its live alias, announced by a synth warning', () => {
    const normal = synth('prod');
    const emergency = synth('prod', { overrides: failOpen });
    const functions = emergency.template.findResources('AWS::Lambda::Function') as Record<
      string,
      { Properties: Json }
    >;
    const withAlias = Object.values(functions).filter(
      ({ Properties }) =>
        (Properties.Environment as { Variables: Json }).Variables.SECURITY_LIMITER_FAILURE_MODE,
    );
    // Every function with the runtime settings (the routes, the fallback and the operations functions;
    // the pre-traffic hook takes none).
    expect(withAlias.length).toBeGreaterThanOrEqual(routes.length + 1);
    for (const { Properties } of withAlias) {
      expect((Properties.Environment as { Variables: Json }).Variables.SECURITY_LIMITER_FAILURE_MODE).toBe(
        'fail-open',
      );
    }
    const before = aliasTargets(normal.template);
    const after = aliasTargets(emergency.template);
    // The routes, the fallback and the realtime gateway's functions: each behind its live alias.
    expect(after.size).toBe(routes.length + 1 + realtimeGateway.length);
    for (const [aliasId, version] of after) expect(version, aliasId).not.toBe(before.get(aliasId));
    expect(
      Annotations.fromStack(emergency.api).findWarning(
        '*',
        Match.stringLikeRegexp('Emergency deploy: overridden: SECURITY_LIMITER_FAIL'),
      ),
    ).not.toHaveLength(0);
    expect(
      Annotations.fromStack(normal.api).findWarning('*', Match.stringLikeRegexp('Emergency deploy')),
    ).toHaveLength(0);
  }, 300_000);
});

describe('an all-at-once release', () => {
  it('moves every alias at once and lets no alarm hold or roll back the deployment', () => {
    const { api, template } = synth('dev', { release: 'all-at-once' });
    const groups = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup')) as {
      Properties: Json;
    }[];
    expect(groups).toHaveLength(routes.length + 1 + realtimeGateway.length);
    for (const { Properties } of groups) {
      expect(JSON.stringify(Properties.DeploymentConfigName)).toContain('AllAtOnce');
      expect(Properties.AlarmConfiguration).toMatchObject({ Enabled: false });
      expect(Properties.AutoRollbackConfiguration).toMatchObject({
        Events: expect.not.arrayContaining(['DEPLOYMENT_STOP_ON_ALARM']),
      });
    }
    expect(
      Annotations.fromStack(api).findWarning(
        '*',
        Match.stringLikeRegexp('new versions take all traffic at once'),
      ),
    ).not.toHaveLength(0);
  }, 300_000);

  it('is not the default: canaries with alarms that roll back', () => {
    const { template } = synth('dev');
    const groups = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup')) as {
      Properties: Json;
    }[];
    for (const { Properties } of groups) {
      expect(JSON.stringify(Properties.DeploymentConfigName)).toContain('Canary10Percent5Minutes');
      expect(Properties.AutoRollbackConfiguration).toMatchObject({
        Events: expect.arrayContaining(['DEPLOYMENT_STOP_ON_ALARM']),
      });
    }
  }, 300_000);
});
