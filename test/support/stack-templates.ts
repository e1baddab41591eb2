import { type CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

type Json = Record<string, unknown>;

/**
 * BulwarkApi puts each function with its release into a nested stack (ADR 0018): a test reads the template
 * of the stack a construct lives in, and finds it there by its logical id in that stack.
 */
export const templateOf = (construct: IConstruct): Template => Template.fromStack(Stack.of(construct));

/** The logical id of a construct (its default child, for an L2) in the template of its own stack. */
export const logicalIdOf = (construct: IConstruct): string =>
  Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnResource);

/** The nested stacks of a stack, at any depth, in construct order. */
export const nestedStacksOf = (stack: Stack): NestedStack[] =>
  stack.node
    .findAll()
    .filter((child): child is NestedStack => child !== stack && NestedStack.isNestedStack(child));

/** The stack and every stack nested in it, each with its template. */
export const stackTemplatesOf = (stack: Stack): { stack: Stack; template: Template }[] =>
  [stack, ...nestedStacksOf(stack)].map((each) => ({ stack: each, template: Template.fromStack(each) }));

/** Replaces, anywhere in `value`, each object `replace` answers for (recursively, not into the answer). */
const substitute = (value: unknown, replace: (object: Json) => unknown): unknown => {
  if (Array.isArray(value)) return value.map((item) => substitute(item, replace));
  if (value === null || typeof value !== 'object') return value;
  const replaced = replace(value as Json);
  if (replaced !== undefined) return replaced;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, replace)]));
};

/** A stack's resources, with every nested stack's resources merged in, references across them resolved. */
const mergedOf = (stack: Stack): { resources: Record<string, Json>; outputs: Json } => {
  const json = Template.fromStack(stack).toJSON() as Json;
  const own = json.Resources as Record<string, Json>;
  const children = stack.node
    .findAll()
    .filter(
      (child): child is NestedStack => NestedStack.isNestedStack(child) && child.nestedStackParent === stack,
    );
  const outputsByStackResource = new Map<string, Record<string, Json>>();
  const merged: Record<string, Json> = {};
  const nestedResources: [NestedStack, Record<string, Json>][] = [];
  for (const nested of children) {
    const stackResourceId = stack.getLogicalId(nested.nestedStackResource as CfnResource);
    const parameters = ((own[stackResourceId]?.Properties as Json | undefined)?.Parameters ?? {}) as Json;
    const outputs = ((Template.fromStack(nested).toJSON() as Json).Outputs ?? {}) as Record<string, Json>;
    // Inside the nested stack, a parameter means the parent's value that feeds it.
    const fromParent = (object: Json): unknown => {
      const ref = object.Ref;
      return typeof ref === 'string' && ref in parameters ? parameters[ref] : undefined;
    };
    outputsByStackResource.set(
      stackResourceId,
      Object.fromEntries(
        Object.entries(outputs).map(([name, output]) => [name, substitute(output.Value, fromParent) as Json]),
      ),
    );
    const resources = substitute(mergedOf(nested).resources, fromParent) as Record<string, Json>;
    nestedResources.push([nested, resources]);
  }
  // In the parent, a nested stack's output means the nested value it exports.
  const fromNested = (object: Json): unknown => {
    const getAtt = object['Fn::GetAtt'];
    if (!Array.isArray(getAtt) || typeof getAtt[0] !== 'string' || typeof getAtt[1] !== 'string')
      return undefined;
    const outputs = outputsByStackResource.get(getAtt[0]);
    if (outputs === undefined || !getAtt[1].startsWith('Outputs.')) return undefined;
    return outputs[getAtt[1].slice('Outputs.'.length)];
  };
  Object.assign(merged, substitute(own, fromNested));
  for (const [nested, resources] of nestedResources) {
    for (const [logicalId, resource] of Object.entries(
      substitute(resources, fromNested) as Record<string, Json>,
    )) {
      merged[logicalId in merged ? `${logicalId}@${nested.node.id}` : logicalId] = resource;
    }
  }
  return { resources: merged, outputs: substitute(json.Outputs ?? {}, fromNested) as Json };
};

/**
 * Every resource of a stack and of the stacks nested in it, and the stack's outputs, as one template, as if
 * they were one stack:
 * inside a nested stack a parameter reads as the parent's value that feeds it, and in the parent a nested
 * stack's output reads as the value it exports. Each resource keeps its logical id in its own stack (what
 * logicalIdOf gives); an id two stacks share is suffixed with `@<nested stack id>`. So an assertion that a
 * nested function's alarm notifies the parent's topic reads `Ref: <topic>` as before, and holds only if the
 * parameter is indeed fed by that topic.
 */
export const mergedTemplateOf = (stack: Stack): Template => {
  const { resources, outputs } = mergedOf(stack);
  return Template.fromJSON(
    { Resources: resources, Outputs: outputs },
    { skipCyclicalDependenciesCheck: true },
  );
};

/**
 * The parameter of `nested` that `Ref: <parameter>` reads, resolved to what its parent feeds it: lets a test
 * check that a nested resource is given a parent's resource (e.g. the alarm topic's ARN) by meaning.
 */
export const parameterValueOf = (nested: NestedStack, parameter: string): unknown => {
  const parent = Stack.of(nested.nestedStackParent as Stack);
  const parentResources = (Template.fromStack(parent).toJSON() as Json).Resources as Record<string, Json>;
  const stackResource = parentResources[parent.getLogicalId(nested.nestedStackResource as CfnResource)];
  const parameters = (stackResource?.Properties as Json | undefined)?.Parameters as Json | undefined;
  if (parameters === undefined || !(parameter in parameters)) {
    throw new Error(`Nested stack ${nested.node.path} has no parameter ${parameter}`);
  }
  return parameters[parameter];
};
