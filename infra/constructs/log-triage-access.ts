import { Arn, ArnFormat, Fn, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { RouteFunction } from './route-function.js';

/** Inference profile ids start with a geography (`us.`, `eu.`, `global.` ...); base model ids do not. */
const inferenceProfilePrefix = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

/**
 * The ARNs `bedrock:InvokeModel` needs for TRIAGE_MODEL_ID, and no others: a base model id is its
 * foundation-model ARN in the stack's region; an inference profile id is the profile in this account plus
 * the foundation model it routes to, in any region it may route to (Bedrock checks both); an ARN is
 * itself. Empty: none (no model, no grant).
 */
export const modelArnsOf = (scope: Construct, modelId: string): readonly string[] => {
  if (modelId === '') return [];
  if (modelId.startsWith('arn:')) return [modelId];
  const stack = Stack.of(scope);
  if (inferenceProfilePrefix.test(modelId)) {
    return [
      Arn.format({ service: 'bedrock', resource: 'inference-profile', resourceName: modelId }, stack),
      `arn:${stack.partition}:bedrock:*::foundation-model/${modelId.replace(inferenceProfilePrefix, '')}`,
    ];
  }
  return [
    Arn.format(
      {
        service: 'bedrock',
        account: '',
        resource: 'foundation-model',
        resourceName: modelId,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      stack,
    ),
  ];
};

/**
 * What the `log-triage` capability grants a route function: Logs Insights over the stage's function log
 * groups (StartQuery on exactly those groups; GetQueryResults, which takes a query id and supports no
 * resource, on `*`), `bedrock:InvokeModel` on the configured model only, and the variable naming the
 * groups. Nothing else: no FilterLogEvents, no other model, no streaming.
 */
export const grantLogTriage = (fn: RouteFunction, logGroups: readonly ILogGroup[], modelId: string): void => {
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['logs:StartQuery'],
      resources: logGroups.map((group) => group.logGroupArn),
    }),
  );
  fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['logs:GetQueryResults'], resources: ['*'] }));
  const models = modelArnsOf(fn, modelId);
  if (models.length > 0) {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [...models] }),
    );
  }
  fn.function.addEnvironment(
    'TRIAGE_LOG_GROUPS',
    Fn.join(
      ',',
      logGroups.map((group) => group.logGroupName),
    ),
  );
  Validations.of(fn.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'logs:GetQueryResults names a query id, not a log group, and supports no resource-level permission; ' +
      'the query itself can only be started (logs:StartQuery) on the log groups of this stage.',
  });
  if (models.some((arn) => arn.includes('*'))) {
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${models.find((arn) => arn.includes('*'))}]`,
      reason:
        'A cross-region inference profile routes to the same foundation model in several regions and Bedrock ' +
        'checks InvokeModel on the model in each; the model id is fixed, only the region is open.',
    });
  }
};
