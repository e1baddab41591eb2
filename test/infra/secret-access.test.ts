import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StageName, stageConfig } from '../../infra/config.js';
import {
  HEALTH_PROBE_FUNCTION_ID,
  ROLE_NAME_MAX_LENGTH,
  readerRoleNameOf,
  registerSecretAccess,
  secretReaderRoleName,
  secretReadersOf,
} from '../../infra/constructs/secret-readers.js';
import { SECRETS_KEY_ADMIN_ACTIONS, secretsKeySids } from '../../infra/constructs/secrets-key.js';
import { addNagPacks } from '../../infra/nag/nag-packs.js';
import { ApiStack } from '../../infra/stacks/api-stack.js';
import { DataStack, secretLogicalId } from '../../infra/stacks/data-stack.js';
import { type SecretId, secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { realtimeGateway } from '../../shared/routes/realtime-gateway.js';
import { firstAdminFunction } from '../../shared/routes/route-definition.js';
import { fallbackRoute, routes } from '../../shared/routes/route-table.js';
import { logicalIdOf, mergedTemplateOf } from '../support/stack-templates.js';
import { cdkContext, stubFunctionEntries } from '../support/stub-function-entries.js';

type Json = Record<string, unknown>;
interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const account = '123456789012';
const region = 'eu-west-1';
const synthTimeoutMs = 240_000;

let stubRoot: string;
let removeStubs: () => void;
beforeAll(() => {
  ({ root: stubRoot, remove: removeStubs } = stubFunctionEntries('bulwark-secrets-'));
});
afterAll(() => removeStubs());

const buildApp = (stage: StageName, options: { secrets?: string; breakGlass?: readonly string[] } = {}) => {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false } });
  const base = stageConfig(stage, options.secrets === undefined ? {} : { secrets: options.secrets });
  const config =
    options.breakGlass === undefined
      ? base
      : { ...base, secrets: { ...base.secrets, breakGlassRoleArns: options.breakGlass } };
  const env = { account, region };
  const data = new DataStack(app, `Bulwark-${stage}-Data`, { config, env });
  const api = new ApiStack(app, `Bulwark-${stage}-Api`, {
    config,
    env,
    tables: data.tables,
    secrets: data.secrets,
    signingKeyRotation: data.signingKeyRotation,
    projectRoot: stubRoot,
  });
  // The same packs and NIST acknowledgements as infra/app.ts.
  addNagPacks(app);
  return { app, data, api, config };
};

/**
 * Resolves what the policies hold to plain strings, as CloudFormation would in this account: pseudo
 * parameters, joins, and a role's Arn by its logical id (named roles by their name).
 */
const resolverFor = (resources: Record<string, Json>) => {
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const object = value as Json;
    if ('Ref' in object) {
      const ref = object.Ref as string;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::AccountId') return account;
      if (ref === 'AWS::Region') return region;
      return `ref:${ref}`;
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => String(resolve(part))).join(separator);
    }
    if ('Fn::GetAtt' in object) {
      const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
      const resource = resources[logicalId];
      if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') {
        const name = (resource.Properties as Json).RoleName;
        return `arn:aws:iam::${account}:role/${name === undefined ? logicalId : String(resolve(name))}`;
      }
      return `getatt:${logicalId}.${attribute}`;
    }
    return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolve(item)]));
  };
  return resolve;
};

const listOf = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).map(String);

/** Does an IAM condition block hold for a request with these context keys (only the operators used here)? */
const conditionHolds = (condition: Statement['Condition'], context: Readonly<Record<string, string>>) =>
  Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return operator.endsWith('IfExists');
      const values = listOf(expected);
      const like = (pattern: string) =>
        new RegExp(
          `^${pattern
            .split('*')
            .map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, '\\$&'))
            .join('.*')}$`,
        );
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
          return values.includes(actual);
        case 'ArnNotEquals':
        case 'StringNotEquals':
          return !values.includes(actual);
        case 'StringLike':
        case 'ArnLike':
          return values.some((pattern) => like(pattern).test(actual));
        default:
          throw new Error(`Unhandled condition operator ${operator}`);
      }
    }),
  );

const actionsOf = (statement: Statement): string[] => listOf(statement.Action);

const readerIdsOf = (secretId: SecretId): string[] =>
  [...routes, fallbackRoute, firstAdminFunction, ...realtimeGateway]
    .filter((entry) => (entry.secrets as readonly SecretId[]).includes(secretId))
    .map((entry) => entry.id);

describe.each(['dev', 'prod'] as const)('secrets only their readers can read (%s)', (stage) => {
  let built: ReturnType<typeof buildApp>;
  let data: Template;
  let dataResources: Record<string, Json>;
  let apiTemplate: Template;
  let apiResources: Record<string, Json>;
  let resolveData: (value: unknown) => unknown;
  let resolveApi: (value: unknown) => unknown;
  const roleArn = (functionId: string) =>
    `arn:aws:iam::${account}:role/${secretReaderRoleName(`Bulwark-${stage}-Data`, functionId, region)}`;
  let rotationRoleArn: string;

  beforeAll(() => {
    built = buildApp(stage);
    // Throws on an unacknowledged cdk-nag finding in either stack.
    data = mergedTemplateOf(built.data);
    apiTemplate = mergedTemplateOf(built.api);
    dataResources = (data.toJSON() as { Resources: Record<string, Json> }).Resources;
    apiResources = (apiTemplate.toJSON() as { Resources: Record<string, Json> }).Resources;
    resolveData = resolverFor(dataResources);
    resolveApi = resolverFor(apiResources);
    rotationRoleArn = `arn:aws:iam::${account}:role/${logicalIdOf(built.data.signingKeyRotation.role)}`;
  }, synthTimeoutMs);

  const keyPolicy = (): Statement[] => {
    const keys = data.findResources('AWS::KMS::Key', {
      Properties: { Description: Match.stringLikeRegexp('secrets') },
    });
    const [key] = Object.values(keys) as { Properties: { KeyPolicy: { Statement: Statement[] } } }[];
    if (key === undefined) throw new Error('No secrets key');
    return resolveData(key.Properties.KeyPolicy.Statement) as Statement[];
  };

  const secretPolicy = (secretLogical: string, resources: Record<string, Json>, resolve = resolveData) => {
    const policies = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::SecretsManager::ResourcePolicy' &&
        JSON.stringify((resource.Properties as Json).SecretId) === JSON.stringify({ Ref: secretLogical }),
    );
    expect(policies).toHaveLength(1);
    const policy = (policies[0]?.Properties as Json | undefined)?.ResourcePolicy as Json | undefined;
    return resolve(policy?.Statement) as Statement[];
  };

  /** The KMS and Secrets Manager decisions for one GetSecretValue by `principalArn` (IAM allowing it). */
  const canRead = (secretLogical: string, principalArn: string): boolean => {
    const secretArn = `arn:aws:secretsmanager:${region}:${account}:secret:${secretLogical}-AbCdEf`;
    const denied = secretPolicy(secretLogical, dataResources).some(
      (statement) =>
        statement.Effect === 'Deny' &&
        actionsOf(statement).includes('secretsmanager:GetSecretValue') &&
        conditionHolds(statement.Condition, { 'aws:PrincipalArn': principalArn }),
    );
    const decryptAllowed = keyPolicy().some(
      (statement) =>
        statement.Effect === 'Allow' &&
        actionsOf(statement).some((action) => action === 'kms:Decrypt' || action === 'kms:*') &&
        conditionHolds(statement.Condition, {
          'aws:PrincipalArn': principalArn,
          'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
          'kms:CallerAccount': account,
          'kms:EncryptionContext:SecretARN': secretArn,
        }),
    );
    return !denied && decryptAllowed;
  };

  it('encrypts every secret with one customer managed key, rotated, kept with the stage data', () => {
    data.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, PendingWindowInDays: 30 }),
      DeletionPolicy: stage === 'prod' ? 'Retain' : 'Delete',
    });
    const [keyId] = Object.keys(data.findResources('AWS::KMS::Key'));
    for (const secretId of Object.keys(secretDefinitions) as SecretId[]) {
      expect((dataResources[secretLogicalId(secretId)]?.Properties as Json | undefined)?.KmsKeyId).toEqual({
        'Fn::GetAtt': [keyId, 'Arn'],
      });
    }
    // The health probe's own secret, in the API stack, under the same key.
    const probeSecret = apiResources[logicalIdOf(built.api.bulwark.healthProbe.secret)];
    expect(JSON.stringify((probeSecret?.Properties as Json | undefined)?.KmsKeyId)).toContain('SecretsKey');
  });

  it('gives the key policy no cryptographic action for the account, and decrypt only to named readers', () => {
    const statements = keyPolicy();
    expect(statements.map((statement) => statement.Sid)).toEqual([
      secretsKeySids.administration,
      secretsKeySids.write,
      secretsKeySids.read,
    ]);
    const [administration, write, read] = statements as [Statement, Statement, Statement];
    expect(actionsOf(administration).sort()).toEqual([...SECRETS_KEY_ADMIN_ACTIONS].sort());
    expect(administration.Condition).toBeUndefined();
    expect(actionsOf(write).sort()).toEqual(['kms:Encrypt', 'kms:GenerateDataKey']);
    expect(actionsOf(read)).toEqual(['kms:Decrypt']);
    for (const statement of [write, read]) {
      // Only through Secrets Manager, only called from this account, only for this account's secrets.
      expect(statement.Condition?.StringEquals).toEqual({
        'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
        'kms:CallerAccount': account,
      });
      expect(statement.Condition?.StringLike).toEqual({
        'kms:EncryptionContext:SecretARN': `arn:aws:secretsmanager:${region}:${account}:secret:*`,
      });
    }
    const readers = new Set([
      ...(Object.keys(secretDefinitions) as SecretId[]).flatMap(readerIdsOf).map(roleArn),
      rotationRoleArn,
      roleArn(HEALTH_PROBE_FUNCTION_ID),
    ]);
    expect(listOf(read.Condition?.ArnEquals?.['aws:PrincipalArn']).sort()).toEqual([...readers].sort());
    // No wildcard reader: a role someone creates later cannot match.
    expect(listOf(read.Condition?.ArnEquals?.['aws:PrincipalArn']).some((arn) => arn.includes('*'))).toBe(
      false,
    );
  });

  it.each([
    ['jwtSigningKeys', true],
    ['jwtVerificationKeys', true],
    ['apiKeyPepper', false],
  ] as const)('lets only the readers of %s read it (rotation: %s)', (secretId, rotated) => {
    const secretLogical = secretLogicalId(secretId);
    const [deny, ...others] = secretPolicy(secretLogical, dataResources).filter(
      (statement) => statement.Sid === secretsKeySids.denyOtherReaders,
    );
    expect(others).toEqual([]);
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'secretsmanager:GetSecretValue',
    });
    const allowed = [...readerIdsOf(secretId).map(roleArn), ...(rotated ? [rotationRoleArn] : [])];
    expect(listOf(deny?.Condition?.ArnNotEquals?.['aws:PrincipalArn']).sort()).toEqual(allowed.sort());
    for (const reader of allowed) expect(canRead(secretLogical, reader)).toBe(true);
  });

  it('refuses an account role with GetSecretValue on "*" the signing key and the pepper', () => {
    for (const principal of [
      `arn:aws:iam::${account}:role/PowerUserAccess`,
      `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`,
      `arn:aws:iam::${account}:root`,
      // A reader of another secret: jwks reads the public keys, never the private ones or the pepper.
      roleArn('jwks'),
    ]) {
      expect(canRead(secretLogicalId('jwtSigningKeys'), principal)).toBe(false);
      expect(canRead(secretLogicalId('apiKeyPepper'), principal)).toBe(false);
    }
    // A function that authenticates reads the pepper, but never the private signing keys.
    expect(canRead(secretLogicalId('apiKeyPepper'), roleArn('current-user'))).toBe(true);
    expect(canRead(secretLogicalId('jwtSigningKeys'), roleArn('current-user'))).toBe(false);
  });

  it('names in the API stack exactly the roles the data stack allows, each granted its own secrets only', () => {
    // Every role of the app that is granted GetSecretValue on a data secret, by the ARN it will have.
    const grantees = new Map<SecretId, Set<string>>();
    for (const resource of Object.values(apiResources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const properties = resolveApi(resource.Properties) as Json;
      const statements = (properties.PolicyDocument as { Statement: Statement[] }).Statement;
      for (const secretId of Object.keys(secretDefinitions) as SecretId[]) {
        const reads = statements.some(
          (statement) =>
            actionsOf(statement).includes('secretsmanager:GetSecretValue') &&
            JSON.stringify(statement.Resource).includes(secretLogicalId(secretId)),
        );
        if (!reads) continue;
        for (const role of properties.Roles as string[]) {
          const roleResource = apiResources[role.replace(/^ref:/, '')];
          const name = (roleResource?.Properties as Json | undefined)?.RoleName;
          expect(name, `role ${role} reads ${secretId} without a fixed name`).toBeDefined();
          grantees.set(
            secretId,
            (grantees.get(secretId) ?? new Set()).add(`arn:aws:iam::${account}:role/${name}`),
          );
          // Its key grant: decrypt, through Secrets Manager only.
          expect(statements).toContainEqual(
            expect.objectContaining({
              Action: 'kms:Decrypt',
              Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
            }),
          );
        }
      }
    }
    for (const secretId of Object.keys(secretDefinitions) as SecretId[]) {
      expect([...(grantees.get(secretId) ?? [])].sort()).toEqual(readerIdsOf(secretId).map(roleArn).sort());
    }
    // Role names fit IAM and are the data stack's, whatever the function.
    const names = Object.values(apiResources)
      .filter((resource) => resource.Type === 'AWS::IAM::Role')
      .map((resource) => (resource.Properties as Json).RoleName)
      .filter((name): name is string => typeof name === 'string');
    for (const name of names) expect(name.length).toBeLessThanOrEqual(ROLE_NAME_MAX_LENGTH);
    expect(names).toContain(secretReaderRoleName(`Bulwark-${stage}-Data`, HEALTH_PROBE_FUNCTION_ID, region));
  });

  it('lets only the health probe read its own secret', () => {
    const probe = built.api.bulwark.healthProbe;
    const [deny] = secretPolicy(logicalIdOf(probe.secret), apiResources, resolveApi);
    expect(deny).toMatchObject({ Sid: secretsKeySids.denyOtherReaders, Effect: 'Deny' });
    expect(listOf(deny?.Condition?.ArnNotEquals?.['aws:PrincipalArn'])).toEqual([
      roleArn(HEALTH_PROBE_FUNCTION_ID),
    ]);
  });

  it('lets the rotation decrypt and write the two signing secrets only, through Secrets Manager', () => {
    const policy = dataResources[logicalIdOf(built.data.signingKeyRotation.node.findChild('Policy'))];
    const statements = (
      resolveData((policy?.Properties as Json | undefined)?.PolicyDocument) as { Statement: Statement[] }
    ).Statement;
    const kms = statements.filter((statement) => actionsOf(statement).some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(actionsOf(kms[0] as Statement).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kms[0]?.Condition?.StringEquals).toEqual({
      'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
      'kms:EncryptionContext:SecretARN': [
        `ref:${secretLogicalId('jwtSigningKeys')}`,
        `ref:${secretLogicalId('jwtVerificationKeys')}`,
      ],
    });
  });
});

describe('secret access options', () => {
  it(
    'adds break-glass roles to every secret and to the key, and leaves the denies out for a migration deploy',
    () => {
      const breakGlass = `arn:aws:iam::${account}:role/bulwark-break-glass`;
      const built = buildApp('prod', { breakGlass: [breakGlass] });
      const json = mergedTemplateOf(built.data).toJSON() as { Resources: Record<string, Json> };
      const policies = Object.values(json.Resources).filter(
        (resource) => resource.Type === 'AWS::SecretsManager::ResourcePolicy',
      );
      expect(policies).toHaveLength(3);
      for (const policy of policies) expect(JSON.stringify(policy)).toContain(breakGlass);
      const [key] = Object.values(json.Resources).filter((resource) => resource.Type === 'AWS::KMS::Key');
      expect(JSON.stringify(key)).toContain(breakGlass);

      const migration = buildApp('prod', { secrets: 'migration' });
      const migrated = mergedTemplateOf(migration.data);
      const migratedJson = migrated.toJSON() as { Resources: Record<string, Json> };
      // Key, KmsKeyId and named roles as usual; no secret denies anyone yet (the signing secret keeps
      // only the rotation's own deny of DeleteSecret).
      expect(JSON.stringify(migratedJson)).not.toContain(secretsKeySids.denyOtherReaders);
      expect(JSON.stringify(mergedTemplateOf(migration.api).toJSON())).not.toContain(
        secretsKeySids.denyOtherReaders,
      );
      migrated.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: Match.anyValue() });
      expect(
        Annotations.fromStack(migration.data).findWarning(
          '*',
          Match.stringLikeRegexp('Secrets migration deploy'),
        ),
      ).toHaveLength(1);
      expect(() => stageConfig('prod', { secrets: 'open' })).toThrow(/Unknown secrets "open"/);
    },
    synthTimeoutMs * 2,
  );

  it('refuses at synth a function that reads a secret its data stack does not list', () => {
    const app = new App();
    const stack = new Stack(app, 'Data');
    const secret = new Secret(stack, 'Pepper');
    const secrets = { jwtSigningKeys: secret, jwtVerificationKeys: secret, apiKeyPepper: secret };
    registerSecretAccess(secret, {
      key: undefined as never,
      readers: { jwtSigningKeys: [], jwtVerificationKeys: [], apiKeyPepper: ['create-order'] },
      roleNameOf: (id) => `Data-${id}-eu-west-1`,
    });
    expect(readerRoleNameOf('create-order', ['apiKeyPepper'], secrets)).toBe('Data-create-order-eu-west-1');
    expect(readerRoleNameOf('health', [], secrets)).toBeUndefined();
    expect(() => readerRoleNameOf('list-orders', ['apiKeyPepper'], secrets)).toThrow(
      /list-orders reads the apiKeyPepper secret, but its data stack does not list it/,
    );
  });

  it('derives the readers from the route table and names roles within IAM limits, deterministically', () => {
    const readers = secretReadersOf(routes, realtimeGateway);
    expect(readers.jwtSigningKeys).toEqual(['login', 'refresh-token']);
    expect(readers.apiKeyPepper).toContain(firstAdminFunction.id);
    expect(readers.apiKeyPepper).not.toContain(fallbackRoute.id);
    expect(secretReaderRoleName('Bulwark-prod-Data', 'login', 'eu-west-1')).toBe(
      'Bulwark-prod-Data-login-eu-west-1',
    );
    const long = secretReaderRoleName(
      'Orders-production-Data',
      'introspect-datasource-token',
      'ap-southeast-5',
    );
    expect(long.length).toBeLessThanOrEqual(ROLE_NAME_MAX_LENGTH);
    expect(long).toMatch(/^Orders-production-Data-introspect-dataso-[0-9a-f]{8}-ap-southeast-5$/);
    expect(long).toHaveLength(ROLE_NAME_MAX_LENGTH);
    expect(
      secretReaderRoleName('Orders-production-Data', 'introspect-datasource-token', 'ap-southeast-5'),
    ).toBe(long);
    // The region unknown at synth: room is kept for the longest region name.
    const agnostic = new Stack(new App(), 'Agnostic');
    const tokenName = agnostic.resolve(
      secretReaderRoleName('Orders-production-Data', 'introspect-datasource-token', agnostic.region),
    );
    expect(JSON.stringify(tokenName)).toContain('AWS::Region');
  });
});
