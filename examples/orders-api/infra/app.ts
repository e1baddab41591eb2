/** `npx cdk synth --app 'npx tsx examples/orders-api/infra/app.ts' -c stage=dev` from the repository root. */
import { App, Validations } from 'aws-cdk-lib';
import { stageConfig } from 'bulwark/cdk';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ordersApp } from './orders-app.js';

const app = new App();
const config = stageConfig(String(app.node.tryGetContext('stage') ?? 'dev'));
ordersApp(app, config, {
  projectRoot: process.cwd(),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
