import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { NIST80053R5Checks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type StageName, stageConfig } from '../../infra/config.js';
import { addNagPacks } from '../../infra/nag/nag-packs.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { tableDefinitions } from '../../shared/resources/table-definitions.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

const buildDataStack = (stage: StageName): DataStack => {
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false },
  });
  const stack = new DataStack(app, `Bulwark-${stage}-Data`, {
    config: stageConfig(stage),
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  // The same packs and NIST acknowledgements as infra/app.ts.
  addNagPacks(app);
  return stack;
};

describe('the data stack', () => {
  let dev: DataStack;
  let devTemplate: Template;
  let prodTemplate: Template;
  let prod: DataStack;
  beforeAll(() => {
    dev = buildDataStack('dev');
    prod = buildDataStack('prod');
    // Both throw when cdk-nag reports an unacknowledged finding.
    devTemplate = Template.fromStack(dev);
    prodTemplate = Template.fromStack(prod);
  });

  it('synthesizes with zero unacknowledged cdk-nag findings and no error annotations', () => {
    expect(Annotations.fromStack(dev).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(prod).findError('*', Match.anyValue())).toEqual([]);
  });

  it('passes the NIST 800-53 R5 pack on its own, every finding fixed or acknowledged', () => {
    for (const stack of [dev, prod]) {
      expect(new NIST80053R5Checks().validateScope(stack.node.root).violations).toEqual([]);
    }
  });

  it('pins the logical IDs of the stateful resources', () => {
    // Renaming these replaces the table or the secret (data loss): change them only with a migration plan.
    expect(Object.keys(devTemplate.findResources('AWS::DynamoDB::Table'))).toEqual([
      'UsersTable',
      'RateLimitsTable',
      'SessionsTable',
      'ApiKeysTable',
      'RealtimeTable',
      'BreakersTable',
    ]);
    expect(Object.keys(devTemplate.findResources('AWS::SecretsManager::Secret'))).toEqual([
      'JwtSigningKeysSecret',
      'JwtVerificationKeysSecret',
      'ApiKeyPepperSecret',
    ]);
    expect(Object.keys(prodTemplate.findResources('AWS::DynamoDB::Table'))).toEqual([
      'UsersTable',
      'RateLimitsTable',
      'SessionsTable',
      'ApiKeysTable',
      'RealtimeTable',
      'BreakersTable',
    ]);
    expect(Object.keys(prodTemplate.findResources('AWS::SecretsManager::Secret'))).toEqual([
      'JwtSigningKeysSecret',
      'JwtVerificationKeysSecret',
      'ApiKeyPepperSecret',
    ]);
  });

  it('creates the users table on demand, encrypted, with point-in-time recovery and its key schema', () => {
    devTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      KeySchema: [{ AttributeName: tableDefinitions.users.partitionKey.name, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: tableDefinitions.users.partitionKey.name, AttributeType: 'S' }],
    });
    expect(dev.tables.users).toBeDefined();
  });

  it('sets a TTL attribute only on tables that define one', () => {
    const tables = devTemplate.findResources('AWS::DynamoDB::Table') as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    expect(tables.UsersTable?.Properties.TimeToLiveSpecification).toBeUndefined();
    expect(tables.RateLimitsTable?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
  });

  it('streams the keys of the sessions, API-key and realtime tables to the realtime gateway, and no other', () => {
    const tables = devTemplate.findResources('AWS::DynamoDB::Table') as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    const streamed = Object.entries(tables)
      .filter(([, table]) => table.Properties.StreamSpecification !== undefined)
      .map(([id, table]) => [id, table.Properties.StreamSpecification]);
    expect(streamed).toEqual([
      ['SessionsTable', { StreamViewType: 'KEYS_ONLY' }],
      ['ApiKeysTable', { StreamViewType: 'KEYS_ONLY' }],
      ['RealtimeTable', { StreamViewType: 'KEYS_ONLY' }],
    ]);
    expect(tables.RealtimeTable?.Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });

  it('keys the rate-limit table by pk, on demand, encrypted, with point-in-time recovery', () => {
    devTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
  });

  it('generates the API key pepper as a 48-character alphanumeric JSON field', () => {
    devTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: secretDefinitions.apiKeyPepper.description,
      GenerateSecretString: {
        SecretStringTemplate: '{}',
        GenerateStringKey: 'pepper',
        PasswordLength: 48,
        ExcludePunctuation: true,
        IncludeSpace: false,
      },
    });
    expect(dev.secrets.apiKeyPepper).toBeDefined();
  });

  it('creates the signing-key secret as an uninitialised marker that its first rotation replaces on deploy', () => {
    devTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: secretDefinitions.jwtSigningKeys.description,
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'uninitialised' }),
    });
    // The rotation function writes the first key as soon as the schedule exists (test/infra/rotation.test.ts).
    devTemplate.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: 'JwtSigningKeysSecret' },
      RotateImmediatelyOnUpdate: true,
    });
  });

  it('creates the verification-key secret as a marker too, with no rotation schedule of its own', () => {
    devTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: secretDefinitions.jwtVerificationKeys.description,
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'uninitialised' }),
    });
    const schedules = Object.values(devTemplate.findResources('AWS::SecretsManager::RotationSchedule')) as {
      Properties: { SecretId: unknown };
    }[];
    expect(schedules.map((schedule) => schedule.Properties.SecretId)).toEqual([
      { Ref: 'JwtSigningKeysSecret' },
    ]);
  });

  it.each([
    ['dev', 7, false],
    ['prod', 35, true],
  ] as const)(
    'backs up the users and API-key tables daily into an encrypted vault (%s: %i days, lock %s)',
    (stage, days, lock) => {
      const template = stage === 'dev' ? devTemplate : prodTemplate;
      const config = stageConfig(stage);
      expect(config.backup).toEqual({ retentionDays: days, lock });
      // The vault's own key, rotated, kept with the vault (a vault holding recovery points outlives the stack).
      const vaults = template.findResources('AWS::Backup::BackupVault') as Record<
        string,
        { Properties: Record<string, unknown>; DeletionPolicy: string }
      >;
      const [vault, ...otherVaults] = Object.entries(vaults);
      expect(otherVaults).toEqual([]);
      if (vault === undefined) throw new Error('No backup vault');
      const [vaultId, { Properties: vaultProperties, DeletionPolicy }] = vault;
      expect(DeletionPolicy).toBe('Retain');
      const keyId = (vaultProperties.EncryptionKeyArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      template.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ EnableKeyRotation: true }),
        DeletionPolicy: 'Retain',
      });
      expect(Object.keys(template.findResources('AWS::KMS::Key'))).toContain(keyId);
      if (lock) {
        expect(vaultProperties.LockConfiguration).toEqual({ MinRetentionDays: days });
        expect(vaultProperties.AccessPolicy).toEqual({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
              Resource: '*',
            },
          ],
        });
      } else {
        expect(vaultProperties.LockConfiguration).toBeUndefined();
        expect(vaultProperties.AccessPolicy).toBeUndefined();
      }
      // One daily rule into that vault, each recovery point kept `days`.
      template.hasResourceProperties('AWS::Backup::BackupPlan', {
        BackupPlan: {
          BackupPlanName: `bulwark-${stage}-tables`,
          BackupPlanRule: [
            Match.objectLike({
              ScheduleExpression: 'cron(0 3 * * ? *)',
              Lifecycle: { DeleteAfterDays: days },
              TargetBackupVault: { 'Fn::GetAtt': [vaultId, 'BackupVaultName'] },
            }),
          ],
        },
      });
      // The two tables, by ARN, and nothing else; point-in-time recovery stays on for them.
      const selections = Object.values(template.findResources('AWS::Backup::BackupSelection')) as {
        Properties: { BackupSelection: { Resources: unknown[] } };
      }[];
      expect(selections.map((selection) => selection.Properties.BackupSelection.Resources)).toEqual([
        [{ 'Fn::GetAtt': ['UsersTable', 'Arn'] }, { 'Fn::GetAtt': ['ApiKeysTable', 'Arn'] }],
      ]);
      const tables = template.findResources('AWS::DynamoDB::Table') as Record<
        string,
        { Properties: Record<string, unknown> }
      >;
      for (const id of ['UsersTable', 'ApiKeysTable']) {
        expect(tables[id]?.Properties.PointInTimeRecoverySpecification).toEqual({
          PointInTimeRecoveryEnabled: true,
        });
      }
    },
  );

  it('lets dev data be torn down', () => {
    devTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    devTemplate.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    expect(dev.terminationProtection).toBe(false);
  });

  it('retains and protects prod data', () => {
    prodTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    prodTemplate.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(prod.terminationProtection).toBe(true);
  });
});
