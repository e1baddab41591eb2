/**
 * How infra/nag/nist-acknowledgements.ts applies its entries, on a small tree (no Bulwark stack): path
 * entries only where their patterns match, mirrored ones only where the construct gives the other pack's
 * reason. The app-wide proofs (every finding acknowledged, no acknowledgement without a finding) are in
 * test/infra/api-stack.test.ts and data-stack.test.ts.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { acknowledgedReasonOf, acknowledgeNistFindings } from '../../infra/nag/nist-acknowledgements.js';

const lambda = (scope: Construct, id: string): LambdaFunction =>
  new LambdaFunction(scope, id, {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => {};'),
  });

const findingsOf = (app: App): string[] =>
  new NIST80053R5Checks()
    .validateScope(app)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`),
    );

describe('the NIST acknowledgements', () => {
  const app = new App();
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const synchronous = lambda(new Construct(stack, 'Sync'), 'Function');
  Validations.of(synchronous).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'Only API Gateway invokes it, synchronously: a dead-letter queue would stay empty.',
  });
  lambda(new Construct(stack, 'Other'), 'Function');
  new LogGroup(new Construct(stack, 'SigningKeyRotation'), 'LogGroup', { retention: RetentionDays.ONE_DAY });
  new LogGroup(new Construct(stack, 'Elsewhere'), 'LogGroup', { retention: RetentionDays.ONE_DAY });
  const applied = acknowledgeNistFindings(app);
  const findings = findingsOf(app);

  it('carry a construct’s reason for the other pack’s rule over to the NIST rule, and only there', () => {
    const dlq = applied.filter((each) => each.rule === 'NIST.800.53.R5-LambdaDLQ');
    expect(dlq.map((each) => each.path)).toEqual(['S/Sync/Function/Resource']);
    expect(dlq[0]?.reason).toBe(
      'Only API Gateway invokes it, synchronously: a dead-letter queue would stay empty. (as for Serverless-LambdaDLQ)',
    );
    expect(findings).toContain('NIST.800.53.R5-LambdaDLQ S/Other/Function/Resource');
    expect(findings).not.toContain('NIST.800.53.R5-LambdaDLQ S/Sync/Function/Resource');
  });

  it('acknowledge a rule with paths only on the resources those paths name', () => {
    expect(
      applied
        .filter((each) => each.rule === 'NIST.800.53.R5-CloudWatchLogGroupEncrypted')
        .map((each) => each.path),
    ).toEqual(['S/SigningKeyRotation/LogGroup/Resource']);
    expect(findings).toContain('NIST.800.53.R5-CloudWatchLogGroupEncrypted S/Elsewhere/LogGroup/Resource');
  });

  it('acknowledge a rule without paths on every resource of its type', () => {
    const vpc = applied.filter((each) => each.rule === 'NIST.800.53.R5-LambdaInsideVPC');
    expect(vpc.map((each) => each.path).sort()).toEqual([
      'S/Other/Function/Resource',
      'S/Sync/Function/Resource',
    ]);
    expect(findings.filter((finding) => finding.startsWith('NIST.800.53.R5-LambdaInsideVPC'))).toEqual([]);
  });

  it('record each acknowledgement on the resource, where cdk-nag and acknowledgedReasonOf find it', () => {
    const [first] = applied;
    const resource = app.node.findAll().find((node) => node.node.path === first?.path);
    expect(resource && first && acknowledgedReasonOf(resource, first.rule)).toBe(first?.reason);
  });
});
