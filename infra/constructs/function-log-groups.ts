import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The stack a construct lives in, or the root one when it sits in a nested stack (whose name is a token). */
const rootStackOf = (scope: IConstruct): Stack => {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent !== undefined) stack = stack.nestedStackParent;
  return stack;
};

/**
 * Where every function BulwarkApi builds (routes, fallback, realtime gateway) writes its log:
 * `/bulwark/<root stack name>/`. Named, not generated: a generated name inside a nested stack runs to some
 * 120 characters (nested stack name, logical id, suffix), and the log-triage function must hold every
 * group's name in its environment, which Lambda caps at 4 KB in all. The root stack's name is unique in
 * its account and region, so two stages or two apps never share a group.
 */
export const functionLogGroupPrefixOf = (scope: IConstruct): string =>
  `/bulwark/${rootStackOf(scope).stackName}/`;

/** What CloudWatch Logs accepts in a log group's name (and the triage settings read back). */
const logGroupNameCharacters = /^[A-Za-z0-9_\-/.#]+$/;

/**
 * The log group of one function: the prefix and the function's id (`/bulwark/Bulwark-prod-Api/login`). An
 * id CloudWatch Logs would refuse in a name fails the synth, naming it, not the deploy.
 */
export const functionLogGroupNameOf = (scope: IConstruct, functionId: string): string => {
  const name = `${functionLogGroupPrefixOf(scope)}${functionId}`;
  if (!logGroupNameCharacters.test(name) || name.length > 512) {
    throw new TypeError(
      `Function id ${JSON.stringify(functionId)} cannot name its log group ${name}: use letters, digits and -_./#`,
    );
  }
  return name;
};
