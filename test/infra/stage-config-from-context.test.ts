/**
 * The stage and the emergency switches come from the CDK context through one exported function, so a
 * team's app (examples/orders-api) reads `-c stage=`, `-c set:` and `-c release=` exactly as Bulwark's does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/config.js';
import { stageConfigFromContext } from '../../infra/stage-config-from-context.js';

describe('stageConfigFromContext', () => {
  it('is dev, released as a canary, with nothing overridden when the context says nothing', () => {
    const config = stageConfigFromContext({ 'cli-telemetry': false });
    expect(config).toEqual(stageConfig('dev'));
    expect(config.release).toBe('canary');
    expect(config.overridden).toEqual([]);
  });

  it('takes the stage, every set: override and the release mode from the context', () => {
    const config = stageConfigFromContext({
      stage: 'prod',
      'set:SECURITY_LIMITER_FAILURE_MODE': 'fail-open',
      'set:SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED': 'true',
      release: 'all-at-once',
    });
    expect(config.stageName).toBe('prod');
    expect(config.runtime.rateLimit.failureMode).toBe('fail-open');
    expect(config.release).toBe('all-at-once');
    expect(config).toEqual(
      stageConfig('prod', {
        overrides: {
          SECURITY_LIMITER_FAILURE_MODE: 'fail-open',
          SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED: 'true',
        },
        release: 'all-at-once',
      }),
    );
  });

  it('refuses what stageConfig refuses: an unknown stage, setting or release', () => {
    expect(() => stageConfigFromContext({ stage: 'qa' })).toThrow(/Unknown stage "qa"/);
    expect(() => stageConfigFromContext({ 'set:NO_SUCH_SETTING': '1' })).toThrow(
      /Cannot override NO_SUCH_SETTING/,
    );
    expect(() => stageConfigFromContext({ release: 'sometimes' })).toThrow(/Unknown release "sometimes"/);
  });

  it.each(['infra/app.ts', 'examples/orders-api/infra/app.ts'])('is how %s reads its stage', (path) => {
    expect(readFileSync(path, 'utf8')).toContain('stageConfigFromContext(app.node.getAllContext()');
  });
});
