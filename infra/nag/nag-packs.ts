import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { type AppliedNistAcknowledgement, acknowledgeNistFindings } from './nist-acknowledgements.js';

/**
 * The cdk-nag gate of the app (ADR 0018): the AwsSolutions, Serverless and NIST 800-53 R5 packs over every
 * stack. Any finding nobody acknowledged fails the synth. The AwsSolutions and Serverless acknowledgements
 * sit on their constructs; the NIST ones are applied here from infra/nag/nist-acknowledgements.ts. Call it
 * once the app's constructs exist; it returns the NIST acknowledgements it applied.
 */
export const addNagPacks = (app: App): readonly AppliedNistAcknowledgement[] => {
  const applied = acknowledgeNistFindings(app);
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
    new NIST80053R5Checks(app),
  );
  return applied;
};
