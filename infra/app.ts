import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { stageConfig } from './config.js';
import { ApiStack } from './stacks/api-stack.js';
import { DataStack } from './stacks/data-stack.js';

/**
 * The only place that reads process.env or CDK context. Pick the stage with `cdk synth -c stage=prod`;
 * the default is dev. The account and region come from the CLI's credentials (CDK_DEFAULT_*).
 */
const app = new App();
const requestedStage: unknown = app.node.tryGetContext('stage') ?? 'dev';
// Emergency switches for one deploy (docs/runbooks/rollout.md): `-c set:VARIABLE=value` overrides a stage
// setting, `-c release=all-at-once` skips the canary. Both reach the `live` alias, unlike a console edit.
const overrides = Object.fromEntries(
  Object.entries(app.node.getAllContext() as Record<string, unknown>)
    .filter(([key]) => key.startsWith('set:'))
    .map(([key, value]) => [key.slice('set:'.length), String(value)]),
);
const release: unknown = app.node.tryGetContext('release');
// `-c secrets=migration`: the one deploy that moves a stage deployed before the secrets key (rollout runbook).
const secrets: unknown = app.node.tryGetContext('secrets');
const config = stageConfig(String(requestedStage), {
  overrides,
  ...(release === undefined ? {} : { release: String(release) }),
  ...(secrets === undefined ? {} : { secrets: String(secrets) }),
});

const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
const tags = { project: 'bulwark', stage: config.stageName };

const data = new DataStack(app, `Bulwark-${config.stageName}-Data`, {
  config,
  env,
  tags,
  description: `Bulwark ${config.stageName}: DynamoDB tables and Secrets Manager secrets (stateful)`,
});

new ApiStack(app, `Bulwark-${config.stageName}-Api`, {
  config,
  env,
  tags,
  description: `Bulwark ${config.stageName}: WAF, REST API, route functions, canary releases and alarms`,
  tables: data.tables,
  secrets: data.secrets,
  signingKeyRotation: data.signingKeyRotation,
});

// Every finding fails the synth; acknowledgements sit on the specific constructs with their reasons. Both
// packs cover the whole app: the data stack's rotation function as well as the API stack (ADR 0018).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
