import { Arn, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
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
 * A value as cdk-nag names it in a finding: resolved text, each reference to a pseudo parameter or
 * resource written `<Name>` (a stack without a fixed account and region keeps them as references).
 */
const asNagWritesIt = (stack: Stack, value: string): string => {
  const resolved: unknown = stack.resolve(value);
  if (typeof resolved === 'string') return resolved;
  const [, parts] = (resolved as { 'Fn::Join': [string, (string | { Ref: string })[]] })['Fn::Join'];
  return parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
};

/** The function log groups log triage reads: their common prefix and each function's id after it. */
export interface TriageLogGroups {
  readonly prefix: string;
  readonly functionIds: readonly string[];
}

/**
 * How many groups TRIAGE_LOG_GROUPS may list (the runtime's list rule reads at most 100 entries), and the
 * characters it may take: Lambda holds 4 KB of environment in all, and the triage function's other
 * variables take about half of it.
 */
export const triageLogGroupLimits = Object.freeze({ groups: 100, characters: 2_000 });

/**
 * What the `log-triage` capability grants a route function: Logs Insights over the stage's function log
 * groups (StartQuery on the groups under their prefix, which only BulwarkApi's functions write to;
 * GetQueryResults, which takes a query id and supports no resource, on `*`), `bedrock:InvokeModel` on the
 * configured model only, and the variables naming the groups: the prefix (TRIAGE_LOG_GROUP_PREFIX) and
 * the function ids after it (TRIAGE_LOG_GROUPS), so the list grows by a short id per route, not by a
 * whole name. Nothing else: no FilterLogEvents, no other model, no streaming. Too many groups for the
 * runtime's list or Lambda's environment fail the synth, naming the limit, not the deploy.
 */
export const grantLogTriage = (fn: RouteFunction, logGroups: TriageLogGroups, modelId: string): void => {
  const list = logGroups.functionIds.join(',');
  if (
    logGroups.functionIds.length > triageLogGroupLimits.groups ||
    list.length > triageLogGroupLimits.characters
  ) {
    throw new TypeError(
      `Log triage would read ${logGroups.functionIds.length} function log groups (${list.length} characters of ` +
        `TRIAGE_LOG_GROUPS); it reads at most ${triageLogGroupLimits.groups} in ${triageLogGroupLimits.characters} ` +
        "characters (Lambda's environment holds 4 KB in all)",
    );
  }
  const groupsArn = Arn.format(
    {
      service: 'logs',
      resource: 'log-group',
      resourceName: `${logGroups.prefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    },
    Stack.of(fn),
  );
  fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['logs:StartQuery'], resources: [groupsArn] }));
  fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['logs:GetQueryResults'], resources: ['*'] }));
  const models = modelArnsOf(fn, modelId);
  if (models.length > 0) {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [...models] }),
    );
  }
  fn.function.addEnvironment('TRIAGE_LOG_GROUP_PREFIX', logGroups.prefix);
  fn.function.addEnvironment('TRIAGE_LOG_GROUPS', list);
  Validations.of(fn.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'logs:GetQueryResults names a query id, not a log group, and supports no resource-level permission; ' +
      'the query itself can only be started (logs:StartQuery) on the log groups of this stage.',
  });
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${asNagWritesIt(Stack.of(fn), groupsArn)}]`,
    reason:
      "The stage's function log groups, named under one prefix (function-log-groups.ts) that only BulwarkApi's " +
      'functions write to: the prefix grows with the routes, a list of group ARNs would outgrow the policy.',
  });
  if (models.some((arn) => arn.includes('*'))) {
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${asNagWritesIt(Stack.of(fn), models.find((arn) => arn.includes('*')) ?? '')}]`,
      reason:
        'A cross-region inference profile routes to the same foundation model in several regions and Bedrock ' +
        'checks InvokeModel on the model in each; the model id is fixed, only the region is open.',
    });
  }
};
