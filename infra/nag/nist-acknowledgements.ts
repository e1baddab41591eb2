import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The prefix of every rule of cdk-nag's NIST 800-53 R5 pack. */
export const NIST_RULE_PREFIX = 'NIST.800.53.R5-';

type NistRuleId = `${typeof NIST_RULE_PREFIX}${string}`;

/**
 * A NIST 800-53 R5 rule that some resources of the app do not meet, and why the control does not apply to
 * them or what stands in for it. It covers the resources of `resourceType` whose construct path matches one
 * of `paths` (every resource of the type when `paths` is absent, for rules whose reason holds for all).
 */
export interface NistAcknowledgement {
  readonly rule: NistRuleId;
  readonly resourceType: string;
  readonly paths?: readonly RegExp[];
  readonly reason: string;
}

/**
 * A NIST rule that checks the same control as a rule of the AwsSolutions or Serverless pack. Where the
 * construct that owns a resource already acknowledges `sameAs` with its own reason, written next to the
 * code it explains, that reason stands for the NIST rule too; where it does not, the NIST finding stands.
 */
export interface MirroredNistAcknowledgement {
  readonly rule: NistRuleId;
  readonly resourceType: string;
  readonly sameAs: string;
}

const functionPath = (id: string): RegExp => new RegExp(`/${id}/Function/Resource$`);

/**
 * The NIST 800-53 R5 controls the app meets otherwise, or that do not apply to it, per rule and resource
 * (ADR 0018, "NIST 800-53 R5 as an extra gate", which also lists what was fixed instead).
 */
export const nistAcknowledgements: readonly NistAcknowledgement[] = Object.freeze([
  {
    rule: 'NIST.800.53.R5-LambdaInsideVPC',
    resourceType: 'AWS::Lambda::Function',
    reason:
      'No Bulwark function reaches a private resource: they call DynamoDB, Secrets Manager, CloudWatch, ' +
      'EventBridge, CodeDeploy, Lambda and the stage’s own API, all regional AWS endpoints reached over TLS ' +
      'with SigV4, each allowed only by the function’s own role on named resources. A VPC would add NAT ' +
      'gateways or an interface endpoint per service and zone (more than the rest of the bill), ENI and ' +
      'IP-exhaustion failure modes, and no isolation IAM does not already give, since nothing listens inside ' +
      'a function. A function that must reach a private resource (RDS, ElastiCache) goes into a VPC instead.',
  },
  {
    rule: 'NIST.800.53.R5-IAMNoInlinePolicy',
    resourceType: 'AWS::IAM::Policy',
    reason:
      'Each of these policies is attached to exactly one role of this app (tested) and holds that role’s ' +
      'least-privilege statements, generated from the route table’s grants and tested against them; it is ' +
      'created, changed and rolled back with the stack that holds the role. A customer managed policy would ' +
      'be the same document under another resource type, attachable to principals outside the stack and ' +
      'counted against the quota of managed policies per role, with no reuse to gain: no two roles hold the ' +
      'same statements.',
  },
  {
    rule: 'NIST.800.53.R5-LambdaConcurrency',
    resourceType: 'AWS::Lambda::Function',
    paths: [/\/SigningKeyRotation\/Function\/Resource$/],
    reason:
      'Only Secrets Manager invokes the rotation function (four steps one after another, every 30 days) and ' +
      'an operator’s emergency key replacement: no client can drive its concurrency, so a reservation would ' +
      'only withdraw executions from the account’s unreserved pool, and a cap could throttle the emergency ' +
      'replacement while a scheduled rotation runs. Its errors and Secrets Manager’s RotationFailed page.',
  },
  {
    rule: 'NIST.800.53.R5-LambdaConcurrency',
    resourceType: 'AWS::Lambda::Function',
    paths: [/\/PreTrafficHook\/Function\/Resource$/],
    reason:
      'Only CodeDeploy invokes the pre-traffic hook, once per function release; a deploy that changes every ' +
      'function runs one hook per function at once. A reservation below the number of functions would ' +
      'throttle hooks and fail good releases; one as large would sit idle between deploys, withdrawn from ' +
      'the unreserved pool. No client can invoke it.',
  },
  {
    rule: 'NIST.800.53.R5-LambdaConcurrency',
    resourceType: 'AWS::Lambda::Function',
    paths: [/\/HealthProbe\/Probe\/Function\/Resource$/],
    reason:
      'Only EventBridge Scheduler invokes the health probe, once every 5 minutes with no retry, and each run ' +
      'ends within its 30 s timeout: its concurrency is at most one and no client can raise it. A ' +
      'reservation would withdraw executions from the unreserved pool for nothing.',
  },
  {
    rule: 'NIST.800.53.R5-LambdaConcurrency',
    resourceType: 'AWS::Lambda::Function',
    paths: [functionPath('RealtimeRevocations')],
    reason:
      'Invoked only by the DynamoDB stream event source mappings of the sessions, API-key and realtime ' +
      'tables, which poll each shard one batch at a time: its concurrency is the number of open shards, set ' +
      'by DynamoDB, whatever clients do. A reservation below that would stall the revocation of open ' +
      'connections; failed batches go to the alarmed RevocationsDeadLetters queue.',
  },
  {
    rule: 'NIST.800.53.R5-LambdaConcurrency',
    resourceType: 'AWS::Lambda::Function',
    paths: [/\/Guardrails\/Forwarder\/Function\/Resource$/],
    reason:
      'Invoked only by the subscription filters, for `guard-rail event` lines, which each function instance ' +
      'writes at most once per kind and subject per repeat interval: its load follows the number of warm ' +
      'instances (capped by their own reservations), not the request rate. A cap would delay, in a flood, ' +
      'the breach events that page; failed invocations go to its alarmed dead-letter queue.',
  },
  {
    rule: 'NIST.800.53.R5-CloudWatchAlarmAction',
    resourceType: 'AWS::CloudWatch::Alarm',
    paths: [/\/Release\/VersionErrorsAlarm\/Resource$/],
    reason:
      'The release-errors alarm of a function is read by its CodeDeploy deployment group, which stops the ' +
      'release and moves the live alias back when it is in ALARM; the same errors are counted by the ' +
      'function-wide `<route>-errors` alarm, which pages through the alarm topic, and the failed release ' +
      'fails the deploy. An action here would page twice for one incident.',
  },
  {
    rule: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
    resourceType: 'AWS::ApiGateway::Stage',
    paths: [/\/RestApi\/DeploymentStage\.[^/]+\/Resource$/],
    reason:
      'Caching is off on every method, so API Gateway holds no response data at rest to encrypt. The answers ' +
      'are per caller (tokens, users, API keys) and the cache keys on the request, not on the caller: a cache ' +
      'could serve one caller’s tokens to another, and would answer a revoked credential until its entry ' +
      'expired. The one public document worth caching, the JWKS, is for its clients to cache (Cache-Control).',
  },
  {
    rule: 'NIST.800.53.R5-APIGWSSLEnabled',
    resourceType: 'AWS::ApiGateway::Stage',
    paths: [/\/RestApi\/DeploymentStage\.[^/]+\/Resource$/],
    reason:
      'A stage client certificate lets an HTTP backend authenticate API Gateway; every method here is a ' +
      'Lambda proxy integration, which API Gateway invokes through the Lambda API with SigV4, allowed only by ' +
      'each function’s resource policy for this API and stage (method ARNs). There is no HTTP backend to ' +
      'present a certificate to; clients reach the stage over TLS 1.3 only.',
  },
  {
    rule: 'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
    resourceType: 'AWS::Logs::LogGroup',
    paths: [/\/SigningKeyRotation\/LogGroup\/Resource$/],
    reason:
      'The rotation function logs its step names, secret version ids and key ids (kid): never key ' +
      'material and never a client address, which is what the stage’s logs key protects in the API stack’s ' +
      'log groups (ADR 0018). CloudWatch Logs encrypts it at rest with its own keys; a key of its own would ' +
      'add a KMS key per stage for lines that hold nothing secret.',
  },
  {
    rule: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    resourceType: 'AWS::DynamoDB::Table',
    paths: [/\/RateLimitsTable\/Resource$/],
    reason:
      'Rate-limit windows and login failure streaks that expire within hours (TTL): a restore would bring ' +
      'back counters that no longer matter, and losing the table only resets them. Point-in-time recovery ' +
      'is on (35 days) and deletion protection is on in prod.',
  },
  {
    rule: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    resourceType: 'AWS::DynamoDB::Table',
    paths: [/\/SessionsTable\/Resource$/],
    reason:
      'Refresh-token families and revocation markers: restoring a backup would bring back sessions revoked ' +
      'since it was taken, while losing the table only makes every user log in again. Point-in-time recovery ' +
      '(35 days) and deletion protection in prod cover an accidental delete; a kept copy would be a liability.',
  },
  {
    rule: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    resourceType: 'AWS::DynamoDB::Table',
    paths: [/\/RealtimeTable\/Resource$/],
    reason:
      'Open connections, single-use datasource tokens and subscribers that live minutes to hours, plus the ' +
      'datasource definitions, which operators put with `bulwark datasources put` and can put again. ' +
      'Point-in-time recovery (35 days) and deletion protection in prod cover an accidental delete.',
  },
  {
    rule: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    resourceType: 'AWS::DynamoDB::Table',
    paths: [/\/BreakersTable\/Resource$/],
    reason:
      'Circuit-breaker state and last good answers of non-security dependencies, rebuilt by the next calls ' +
      'and expiring with TTL: nothing in it needs restoring. Point-in-time recovery (35 days) is on anyway.',
  },
] satisfies NistAcknowledgement[]);

/**
 * NIST rules that repeat a control another pack already checks: each resource keeps the reason its own
 * construct gives for the other pack's rule (for example the route functions' dead-letter queue reason in
 * infra/constructs/route-function.ts), so the two cannot drift apart.
 */
export const mirroredNistAcknowledgements: readonly MirroredNistAcknowledgement[] = Object.freeze([
  {
    rule: 'NIST.800.53.R5-LambdaDLQ',
    resourceType: 'AWS::Lambda::Function',
    sameAs: 'Serverless-LambdaDLQ',
  },
  {
    rule: 'NIST.800.53.R5-SecretsManagerRotationEnabled',
    resourceType: 'AWS::SecretsManager::Secret',
    sameAs: 'AwsSolutions-SMG4',
  },
] satisfies MirroredNistAcknowledgement[]);

/** One acknowledgement as applied to one resource. */
export interface AppliedNistAcknowledgement {
  readonly rule: string;
  readonly path: string;
  readonly reason: string;
  /** The acknowledgement it came from (an entry of one of the lists above). */
  readonly source: NistAcknowledgement | MirroredNistAcknowledgement;
}

/** The reason `resource` (or a construct above it) gives for `ruleId`, if it acknowledges it. */
export const acknowledgedReasonOf = (resource: IConstruct, ruleId: string): string | undefined => {
  for (let current: IConstruct | undefined = resource; current !== undefined; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        if (id.replace(/^annotation::/i, '') === ruleId && typeof reason === 'string') return reason;
      }
    }
  }
  return undefined;
};

const resourcesOf = (scope: IConstruct, type: string): CfnResource[] =>
  scope.node
    .findAll()
    .filter((node): node is CfnResource => CfnResource.isCfnResource(node) && node.cfnResourceType === type);

/**
 * Acknowledges the NIST 800-53 R5 rules above on the resources they cover, everywhere under `scope` (the
 * app), and returns what it applied. Call it once the app's constructs exist, before synthesis.
 */
export const acknowledgeNistFindings = (scope: IConstruct): readonly AppliedNistAcknowledgement[] => {
  const applied: AppliedNistAcknowledgement[] = [];
  const acknowledge = (
    resource: CfnResource,
    rule: string,
    reason: string,
    source: AppliedNistAcknowledgement['source'],
  ): void => {
    Validations.of(resource).acknowledge({ id: rule, reason });
    applied.push({ rule, path: resource.node.path, reason, source });
  };
  for (const entry of nistAcknowledgements) {
    for (const resource of resourcesOf(scope, entry.resourceType)) {
      if (entry.paths === undefined || entry.paths.some((path) => path.test(resource.node.path))) {
        acknowledge(resource, entry.rule, entry.reason, entry);
      }
    }
  }
  for (const entry of mirroredNistAcknowledgements) {
    for (const resource of resourcesOf(scope, entry.resourceType)) {
      const reason = acknowledgedReasonOf(resource, entry.sameAs);
      if (reason !== undefined)
        acknowledge(resource, entry.rule, `${reason} (as for ${entry.sameAs})`, entry);
    }
  }
  return applied;
};
