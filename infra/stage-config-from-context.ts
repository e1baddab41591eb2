import { type StageConfig, stageConfig } from './config.js';

/**
 * The stage a CDK app deploys, read from its context: `-c stage=<name>` (dev when absent) and the emergency
 * switches for one deploy (docs/runbooks/rollout.md): `-c set:VARIABLE=value` overrides a stage setting,
 * `-c release=all-at-once` skips the canary. Both reach the `live` alias, unlike a console edit. Bulwark's
 * app and a team's call it with `app.node.getAllContext()`, so a team's app has the same switches.
 */
export const stageConfigFromContext = (context: Readonly<Record<string, unknown>>): StageConfig => {
  const overrides = Object.fromEntries(
    Object.entries(context)
      .filter(([key]) => key.startsWith('set:'))
      .map(([key, value]) => [key.slice('set:'.length), String(value)]),
  );
  const release = context.release;
  // `-c secrets=migration`: the one deploy that moves a stage deployed before the secrets key (rollout runbook).
  const secrets = context.secrets;
  return stageConfig(String(context.stage ?? 'dev'), {
    overrides,
    ...(release === undefined ? {} : { release: String(release) }),
    ...(secrets === undefined ? {} : { secrets: String(secrets) }),
  });
};
