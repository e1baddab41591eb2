/**
 * `npx cdk synth --app 'npx tsx examples/orders-api/infra/app.ts' -c stage=dev` from the repository root. The
 * stage and Bulwark's emergency switches (`-c set:VARIABLE=value`, `-c release=all-at-once`) come from the
 * context, as in Bulwark's own app.
 */
import { App, Validations } from 'aws-cdk-lib';
import { stageConfigFromContext } from 'bulwark/cdk';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ordersApp } from './orders-app.js';

const app = new App();
const config = stageConfigFromContext(app.node.getAllContext() as Record<string, unknown>);
ordersApp(app, config, {
  projectRoot: process.cwd(),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
