import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StageName, stageConfig } from '../../infra/config.js';
import { pathPatternOf } from '../../infra/constructs/api-web-acl.js';
import { ApiStack } from '../../infra/stacks/api-stack.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { cdkContext, stubFunctionEntries } from '../support/stub-function-entries.js';

type Json = Record<string, unknown>;

let stubRoot: string;
let removeStubs: () => void;
beforeAll(() => {
  ({ root: stubRoot, remove: removeStubs } = stubFunctionEntries('bulwark-waf-'));
});
afterAll(() => removeStubs());

const webAclRulesOf = (stage: StageName): Json[] => {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const config = stageConfig(stage);
  const env = { account: '123456789012', region: 'eu-west-1' };
  const data = new DataStack(app, `Bulwark-${stage}-Data`, { config, env });
  const api = new ApiStack(app, `Bulwark-${stage}-Api`, {
    config,
    env,
    tables: data.tables,
    secrets: data.secrets,
    projectRoot: stubRoot,
  });
  const acl = Object.values(Template.fromStack(api).findResources('AWS::WAFv2::WebACL'))[0] as {
    Properties: { Rules: Json[] };
  };
  return [...acl.Properties.Rules].sort((a, b) => Number(a.Priority) - Number(b.Priority));
};

interface WafRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

/** What the common rule set's body rules look for (AWS WAF developer guide, "Core rule set"). */
const commonRuleSetBodyRules: readonly { name: string; label: string; matches: (body: string) => boolean }[] =
  [
    {
      name: 'CrossSiteScripting_BODY',
      label: 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body',
      matches: (body) => /<script|javascript:|onerror\s*=/i.test(body),
    },
    {
      name: 'GenericLFI_BODY',
      label: 'awswaf:managed:aws:core-rule-set:GenericLFI_Body',
      matches: (body) => body.includes('../') || body.includes('..\\'),
    },
    {
      name: 'GenericRFI_BODY',
      label: 'awswaf:managed:aws:core-rule-set:GenericRFI_Body',
      matches: (body) => /https?:\/\/\d{1,3}(\.\d{1,3}){3}/i.test(body),
    },
    {
      name: 'EC2MetaDataSSRF_BODY',
      label: 'awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body',
      matches: (body) => body.includes('169.254.169.254'),
    },
  ];

const transform = (value: string, transformations: readonly Json[]): string =>
  [...transformations]
    .sort((a, b) => Number(a.Priority) - Number(b.Priority))
    .reduce((text, { Type }) => {
      if (Type === 'NONE') return text;
      if (Type === 'URL_DECODE') return decodeURIComponent(text);
      if (Type === 'NORMALIZE_PATH') return text.replace(/\/{2,}/g, '/').replace(/\/\.(?=\/|$)/g, '');
      throw new Error(`No stand-in for text transformation ${String(Type)}`);
    }, value);

const fieldOf = (request: WafRequest, field: Json): string => {
  if ('UriPath' in field) return request.path;
  if ('Method' in field) return request.method;
  if ('Body' in field) return request.body;
  throw new Error(`No stand-in for field ${JSON.stringify(field)}`);
};

interface Evaluation {
  readonly labels: Set<string>;
}

/** Whether a statement matches; managed groups add labels (and say whether a rule of theirs blocks). */
const matches = (statement: Json, request: WafRequest, state: Evaluation): boolean => {
  const [[kind, body]] = Object.entries(statement) as [[string, Json]];
  switch (kind) {
    case 'AndStatement':
      return (body.Statements as Json[]).every((inner) => matches(inner, request, state));
    case 'OrStatement':
      return (body.Statements as Json[]).some((inner) => matches(inner, request, state));
    case 'NotStatement':
      return !matches(body.Statement as Json, request, state);
    case 'LabelMatchStatement':
      return state.labels.has(String(body.Key));
    case 'RegexMatchStatement':
      return new RegExp(String(body.RegexString)).test(
        transform(fieldOf(request, body.FieldToMatch as Json), body.TextTransformations as Json[]),
      );
    case 'ByteMatchStatement': {
      const value = transform(
        fieldOf(request, body.FieldToMatch as Json),
        body.TextTransformations as Json[],
      );
      if (body.PositionalConstraint !== 'EXACTLY') throw new Error('No stand-in for this byte match');
      return value === body.SearchString;
    }
    case 'SizeConstraintStatement':
      if (body.ComparisonOperator !== 'GT') throw new Error('No stand-in for this size comparison');
      return Buffer.byteLength(fieldOf(request, body.FieldToMatch as Json)) > Number(body.Size);
    case 'RateBasedStatement':
      // One request never exceeds a rate; the scope-down is checked on its own below.
      return false;
    case 'ManagedRuleGroupStatement': {
      if (body.Name !== 'AWSManagedRulesCommonRuleSet') return false;
      const counted = new Set(
        ((body.RuleActionOverrides as Json[] | undefined) ?? [])
          .filter((override) => 'Count' in (override.ActionToUse as Json))
          .map((override) => String(override.Name)),
      );
      let blocks = false;
      for (const rule of commonRuleSetBodyRules) {
        if (!rule.matches(request.body)) continue;
        state.labels.add(rule.label);
        if (!counted.has(rule.name)) blocks = true;
      }
      return blocks;
    }
    default:
      throw new Error(`No stand-in for ${kind}`);
  }
};

/** The first rule that blocks the request, or undefined when the default action (allow) applies. */
const blockingRule = (rules: readonly Json[], request: WafRequest): string | undefined => {
  const state: Evaluation = { labels: new Set() };
  for (const rule of rules) {
    const hit = matches(rule.Statement as Json, request, state);
    const blocks =
      'OverrideAction' in rule ? hit : hit && 'Block' in ((rule.Action as Json | undefined) ?? {});
    if (blocks) return String(rule.Name);
  }
  return undefined;
};

const json = (value: unknown): string => JSON.stringify(value);

describe.each(['dev', 'prod'] as const)('the %s web ACL, request by request', (stage) => {
  let rules: Json[];
  beforeAll(() => {
    rules = webAclRulesOf(stage);
  });
  const at = (path: string): string => `/${stage}${path}`;
  const hostilePasswords = [
    'correct<script>alert(1)</script>horse',
    '../../../../etc/passwd-is-my-password',
    'x<SCRIPT src=//e.example>..\\..\\y',
    'see http://10.0.0.1/ and 169.254.169.254',
  ];

  it.each(hostilePasswords)('lets a login whose password is %j through to the function', (password) => {
    for (const path of ['/auth/login', '/auth/login/', '/auth//login', '/auth/%6Cogin']) {
      expect(
        blockingRule(rules, { method: 'POST', path: at(path), body: json({ username: 'alice', password }) }),
        path,
      ).toBeUndefined();
    }
  });

  it.each(hostilePasswords)(
    'lets a user creation whose password is %j through to the function',
    (password) => {
      const body = json({ username: 'alice', password, roles: ['user'] });
      expect(blockingRule(rules, { method: 'POST', path: at('/api/v1/user'), body })).toBeUndefined();
    },
  );

  it('still blocks the same content in a body that holds no password', () => {
    const name = '<script>alert(1)</script>';
    expect(
      blockingRule(rules, {
        method: 'POST',
        path: at('/admin/api-keys'),
        body: json({ name, roles: ['user'] }),
      }),
    ).toBe('BodyContentOutsidePasswordRoutes');
    expect(
      blockingRule(rules, {
        method: 'PATCH',
        path: at('/admin/api-keys/abc'),
        body: json({ roles: ['../x'] }),
      }),
    ).toBe('BodyContentOutsidePasswordRoutes');
    // Another method on a password route's path, or a look-alike path, is not a password route.
    expect(
      blockingRule(rules, { method: 'PUT', path: at('/auth/login'), body: json({ password: '<script>' }) }),
    ).toBe('BodyContentOutsidePasswordRoutes');
    expect(
      blockingRule(rules, {
        method: 'POST',
        path: at('/auth/login/x'),
        body: json({ password: '<script>' }),
      }),
    ).toBe('BodyContentOutsidePasswordRoutes');
    expect(
      blockingRule(rules, {
        method: 'POST',
        path: `/other${at('/auth/login')}`,
        body: json({ p: '<script>' }),
      }),
    ).toBe('BodyContentOutsidePasswordRoutes');
  });

  it('lets an ordinary body through and blocks one over the size limit', () => {
    expect(
      blockingRule(rules, {
        method: 'POST',
        path: at('/admin/api-keys'),
        body: json({ name: 'ci', roles: ['user'] }),
      }),
    ).toBeUndefined();
    const big = json({ username: 'a', password: 'x'.repeat(stageConfig(stage).runtime.bodyMaxBytes) });
    expect(blockingRule(rules, { method: 'POST', path: at('/auth/login'), body: big })).toBe('BodyTooLarge');
  });

  it('counts only login and refresh requests against the credential rate rule', () => {
    const rule = rules.find((candidate) => candidate.Name === 'CredentialRateLimitPerIp');
    if (rule === undefined) throw new Error('No CredentialRateLimitPerIp rule');
    const scope = ((rule.Statement as Json).RateBasedStatement as Json).ScopeDownStatement as Json;
    const counted = (path: string): boolean =>
      matches(scope, { method: 'POST', path: at(path), body: '' }, { labels: new Set() });
    for (const path of ['/auth/login', '/auth/token/refresh', '/auth/login/', '/auth/%6Cogin'])
      expect(counted(path), path).toBe(true);
    for (const path of ['/health', '/auth/logout', '/api/v1/user', '/auth/login/more', '/auth'])
      expect(counted(path), path).toBe(false);
  });
});

describe('the WAF path pattern of a route table', () => {
  it('takes the stage prefix, path parameters as one segment and escapes everything else', () => {
    const pattern = new RegExp(pathPatternOf('prod', ['/.well-known/jwks.json', '/admin/api-keys/{key_id}']));
    expect(pattern.test('/prod/.well-known/jwks.json')).toBe(true);
    expect(pattern.test('/prod/xwell-known/jwksxjson')).toBe(false);
    expect(pattern.test('/prod/admin/api-keys/bwk_123')).toBe(true);
    expect(pattern.test('/prod/admin/api-keys/a/b')).toBe(false);
    expect(pattern.test('/admin/api-keys/abc/')).toBe(true);
  });
});
