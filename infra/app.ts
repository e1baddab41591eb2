import { App } from 'aws-cdk-lib';
import { addNagPacks } from './nag/nag-packs.js';
import { ApiStack } from './stacks/api-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { stageConfigFromContext } from './stage-config-from-context.js';

/**
 * The only place that reads process.env or CDK context. Pick the stage with `cdk synth -c stage=prod`;
 * the default is dev. The account and region come from the CLI's credentials (CDK_DEFAULT_*).
 */
const app = new App();
// `-c stage=prod`, and the emergency switches for one deploy (`-c set:VARIABLE=value`, `-c release=all-at-once`).
const config = stageConfigFromContext(app.node.getAllContext() as Record<string, unknown>);

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

// Every finding fails the synth. The AwsSolutions, Serverless and NIST 800-53 R5 packs cover the whole app,
// the data stack as well as the API stack (ADR 0018); acknowledgements sit on the specific constructs with
// their reasons, the NIST ones in infra/nag/nist-acknowledgements.ts.
addNagPacks(app);
