import { Annotations, ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { type ProblemCode, problemTypes, problemTypeUri } from '../../shared/errors/problem-types.js';

export interface ApiWebAclProps {
  /** The REST API stage the web ACL protects. */
  readonly stage: Stage;
  /** Used in metric names and the log group name (`aws-waf-logs-bulwark-<stage>`). */
  readonly stageName: string;
  /** Requests one client IP may send in any 5-minute window before it is blocked. */
  readonly requestsPerIpPer5Minutes: number;
  /** API_BODY_MAX_BYTES: bodies larger than this are blocked before they reach a function. */
  readonly bodyMaxBytes: number;
  /** API_TRUST_PROXY_HOPS: the rate rule keys on the connecting IP, right only when this is 0. */
  readonly trustProxyHops: number;
  /** Lowercase header names WAF must never write to its logs. */
  readonly redactedHeaders: readonly string[];
  /** Headers every custom response carries: the static security headers and the static CORS headers. */
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** Body sizes an API Gateway stage can forward to WAF (the default is 16 KB; larger ones cost extra). */
const bodyInspectionLimits = [
  { bytes: 16 * 1024, name: 'KB_16' },
  { bytes: 32 * 1024, name: 'KB_32' },
  { bytes: 48 * 1024, name: 'KB_48' },
  { bytes: 64 * 1024, name: 'KB_64' },
] as const;

/** Names of the rules, also their CloudWatch metric names (prefixed with the stage). */
export const webAclRuleNames = {
  rateLimitPerIp: 'RateLimitPerIp',
  ipReputation: 'AWSManagedRulesAmazonIpReputationList',
  commonRuleSet: 'AWSManagedRulesCommonRuleSet',
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
  bodyTooLarge: 'BodyTooLarge',
} as const;

/**
 * The rate rule's look-back. WAF blocks an address until its count over this window falls below the limit
 * (and notices the fall within about 30 s), so this is also the Retry-After of its 429.
 */
export const rateEvaluationWindowSeconds = 300;

/**
 * WAF limits on custom responses (AWS WAF quotas; CloudFormation CustomHTTPHeader and CustomResponseBody):
 * checked at synth, because WAF would refuse the web ACL at deploy time.
 */
const wafLimits = {
  responseHeadersPerWebAcl: 100,
  headerNameLength: 64,
  headerValueLength: 255,
  bodyLength: 10_240,
} as const;

/**
 * RFC 9457 bodies from the shared catalogue, so a WAF block reads like the functions' own rejections. WAF
 * bodies are static text (no variables), so there is no request id; and APPLICATION_JSON is the only JSON
 * content type WAF offers (a content-type header is refused), so they go out as application/json.
 */
const problemBody = (code: ProblemCode, detail: string): CfnWebACL.CustomResponseBodyProperty => {
  const content = JSON.stringify({
    type: problemTypeUri(code),
    title: problemTypes[code].title,
    status: problemTypes[code].status,
    detail,
  });
  if (content.length > wafLimits.bodyLength) throw new TypeError(`WAF response body for ${code} is too long`);
  return { contentType: 'APPLICATION_JSON', content };
};

/** A block with a custom response: the catalogue's status for the body's code, and the given headers. */
const blockWith = (
  bodyKey: string,
  code: ProblemCode,
  headers: Readonly<Record<string, string>>,
): CfnWebACL.RuleActionProperty => {
  const responseHeaders = Object.entries(headers).map(([name, value]) => {
    if (name.toLowerCase() === 'content-type')
      throw new TypeError('WAF refuses a content-type response header');
    if (name.length > wafLimits.headerNameLength || value.length > wafLimits.headerValueLength) {
      throw new TypeError(`WAF response header ${name} exceeds WAF's length limits`);
    }
    return { name, value };
  });
  return {
    block: {
      customResponse: {
        responseCode: problemTypes[code].status,
        customResponseBodyKey: bodyKey,
        responseHeaders,
      },
    },
  };
};

/**
 * The regional WAF web ACL in front of the API stage: the coarse first line. A rate-based rule per client IP
 * (the exact per-route limits stay in the functions), three AWS managed rule groups, and a body size rule
 * equal to API_BODY_MAX_BYTES. Logs go to a CloudWatch log group with credentials redacted.
 */
export class ApiWebAcl extends Construct {
  readonly webAcl: CfnWebACL;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);
    const metricPrefix = `bulwark-${props.stageName}`;
    const visibility = (name: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${metricPrefix}-${name}`,
    });
    const managedGroup = (
      name: string,
      priority: number,
      ruleActionOverrides?: CfnWebACL.RuleActionOverrideProperty[],
    ): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(ruleActionOverrides === undefined ? {} : { ruleActionOverrides }),
        },
      },
      visibilityConfig: visibility(name),
    });

    // Forward the whole allowed body to WAF when it can take it, so the size rule is exact and the managed
    // rules see the body the function will parse. Above 64 KB WAF cannot: the function's 413 is the limit.
    if (props.trustProxyHops > 0) {
      // WAF's FORWARDED_IP takes the left-most X-Forwarded-For entry, which clients write themselves.
      Annotations.of(this).addWarningV2(
        'bulwark:waf-behind-proxy',
        `API_TRUST_PROXY_HOPS is ${props.trustProxyHops}: this web ACL counts the proxy's addresses, not the ` +
          "clients'. Attach the per-IP rate rule to the proxy (e.g. CloudFront) instead (ADR 0010).",
      );
    }
    const inspection = bodyInspectionLimits.find((limit) => limit.bytes >= props.bodyMaxBytes);
    const rateLimitHeaders = { ...props.responseHeaders, 'Retry-After': String(rateEvaluationWindowSeconds) };
    const rules: CfnWebACL.RuleProperty[] = [
      {
        name: webAclRuleNames.rateLimitPerIp,
        priority: 0,
        action: blockWith('too-many-requests', 'quota-exceeded', rateLimitHeaders),
        statement: {
          rateBasedStatement: {
            limit: props.requestsPerIpPer5Minutes,
            evaluationWindowSec: rateEvaluationWindowSeconds,
            // The connecting address, right while nothing sits in front of API Gateway (hops 0).
            aggregateKeyType: 'IP',
          },
        },
        visibilityConfig: visibility(webAclRuleNames.rateLimitPerIp),
      },
      managedGroup(webAclRuleNames.ipReputation, 1),
      managedGroup(webAclRuleNames.knownBadInputs, 2),
      // SizeRestrictions_BODY of the common rule set blocks bodies over 8 KB, below API_BODY_MAX_BYTES; it
      // only counts here and BodyTooLarge enforces the configured limit instead.
      managedGroup(webAclRuleNames.commonRuleSet, 3, [
        { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
      ]),
    ];
    if (inspection === undefined) {
      Annotations.of(this).addWarningV2(
        'bulwark:waf-body-size',
        `API_BODY_MAX_BYTES ${props.bodyMaxBytes} exceeds the 64 KB WAF can inspect: no WAF body size rule, ` +
          'the functions answer 413.',
      );
    } else {
      rules.push({
        name: webAclRuleNames.bodyTooLarge,
        priority: 4,
        action: blockWith('content-too-large', 'body-too-large', props.responseHeaders),
        statement: {
          sizeConstraintStatement: {
            // A body past the inspection limit is larger than bodyMaxBytes by construction: MATCH blocks it.
            fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
            comparisonOperator: 'GT',
            size: props.bodyMaxBytes,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        visibilityConfig: visibility(webAclRuleNames.bodyTooLarge),
      });
    }

    const headerCount = [
      rateLimitHeaders,
      ...(inspection === undefined ? [] : [props.responseHeaders]),
    ].reduce((count, headers) => count + Object.keys(headers).length, 0);
    if (headerCount > wafLimits.responseHeadersPerWebAcl) {
      throw new TypeError(
        `The web ACL's custom responses carry ${headerCount} headers; WAF allows ${wafLimits.responseHeadersPerWebAcl}`,
      );
    }

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      description: `Bulwark ${props.stageName} API - coarse per-IP rate limit, managed rules, body size`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('web-acl'),
      rules,
      customResponseBodies: {
        'too-many-requests': problemBody(
          'quota-exceeded',
          'Too many requests from this address; retry after the seconds in Retry-After.',
        ),
        'content-too-large': problemBody(
          'body-too-large',
          `The request body exceeds the limit of ${props.bodyMaxBytes} bytes.`,
        ),
      },
      ...(inspection === undefined
        ? {}
        : {
            associationConfig: {
              requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: inspection.name } },
            },
          }),
    });

    new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF only writes to log groups whose name starts with aws-waf-logs-.
    const logGroupName = `aws-waf-logs-bulwark-${props.stageName}`;
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the ":*" suffix that the LogGroup's Arn attribute carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: props.redactedHeaders.map((name) => ({ singleHeader: { Name: name } })),
    });
    logging.node.addDependency(this.logGroup);
  }
}
