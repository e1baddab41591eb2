import { Annotations, CfnOutput, type CfnResource, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type SecretId, secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { type TableId, tableDefinitions } from '../../shared/resources/table-definitions.js';
import { realtimeGateway } from '../../shared/routes/realtime-gateway.js';
import { routes } from '../../shared/routes/route-table.js';
import type { StageConfig } from '../config.js';
import {
  HEALTH_PROBE_FUNCTION_ID,
  registerSecretAccess,
  roleArnOf,
  type SecretAccess,
  type SecretReaders,
  secretReaderRoleName,
  secretReadersOf,
} from '../constructs/secret-readers.js';
import { SecretsKey } from '../constructs/secrets-key.js';
import { SigningKeyRotation } from '../constructs/signing-key-rotation.js';
import { TableBackups } from '../constructs/table-backups.js';
import { repositoryRoot } from '../repository-root.js';

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
  /** Folder holding functions/ and package-lock.json; defaults to the repository root. */
  readonly projectRoot?: string;
  /**
   * The functions allowed to read each secret, by function id: `secretReadersOf(table, gateway)` over the
   * route table BulwarkApi deploys. Defaults to Bulwark's own table and realtime gateway. Every other
   * principal is refused (ADR 0018); BulwarkApi refuses at synth a function that reads a secret without
   * being listed here.
   */
  readonly secretReaders?: SecretReaders;
}

const pascalCase = (id: string): string => id.charAt(0).toUpperCase() + id.slice(1);

/** Pinned logical IDs: moving a construct in the tree must never replace a table or a secret. */
export const tableLogicalId = (id: TableId): string => `${pascalCase(id)}Table`;
export const secretLogicalId = (id: SecretId): string => `${pascalCase(id)}Secret`;

/**
 * The tables AWS Backup copies daily: users (password hashes, roles) and API keys (key hashes, limits) can be
 * rebuilt from nothing else. Rate limits, sessions, breakers and realtime state are short-lived or re-made by
 * use; point-in-time recovery still covers every table.
 */
export const backedUpTables: readonly TableId[] = Object.freeze(['users', 'apiKeys']);

/** Length of generated credentials; letters and digits only so they survive headers and shells. */
const generatedSecretLength = 48;

/**
 * The stateful stack: one DynamoDB table per entry of tableDefinitions and one Secrets Manager secret per
 * entry of secretDefinitions. Deployed separately from the API so stateless changes never touch data.
 */
export class DataStack extends Stack {
  readonly tables: Readonly<Record<TableId, Table>>;
  readonly secrets: Readonly<Record<SecretId, Secret>>;
  readonly signingKeyRotation: SigningKeyRotation;
  /** The secrets' key and who may read each secret (the API stack names its reader roles from it). */
  readonly secretAccess: SecretAccess;
  readonly secretsKey: SecretsKey;
  readonly backups: TableBackups;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    const {
      config,
      projectRoot = repositoryRoot,
      secretReaders = secretReadersOf(routes, realtimeGateway),
      ...stackProps
    } = props;
    super(scope, id, { terminationProtection: config.terminationProtection, ...stackProps });
    // The readers' roles are named, not referenced: they live in the API stack, which depends on this one.
    const roleNameOf = (functionId: string): string =>
      secretReaderRoleName(this.stackName, functionId, this.region);
    const readerArnsOf = (functionIds: readonly string[]): string[] =>
      functionIds.map((functionId) => roleArnOf(roleNameOf(functionId)));
    this.secretsKey = new SecretsKey(this, 'SecretsKey', {
      stageName: config.stageName,
      removalPolicy: config.removalPolicy,
    });
    const breakGlass = [...config.secrets.breakGlassRoleArns];

    const tables = {} as Record<TableId, Table>;
    for (const definition of Object.values(tableDefinitions)) {
      const table = new Table(this, `${pascalCase(definition.id)}Table`, {
        partitionKey: { name: definition.partitionKey.name, type: AttributeType.STRING },
        ...(definition.sortKey === undefined
          ? {}
          : { sortKey: { name: definition.sortKey.name, type: AttributeType.STRING } }),
        // Keys only: the realtime gateway's revocation function needs to know which item changed, never
        // its content (an API key's hash, a session's).
        ...(definition.stream === undefined ? {} : { stream: StreamViewType.KEYS_ONLY }),
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: config.deletionProtection,
        removalPolicy: config.removalPolicy,
        ...(definition.timeToLiveAttribute === undefined
          ? {}
          : { timeToLiveAttribute: definition.timeToLiveAttribute }),
      });
      (table.node.defaultChild as CfnResource).overrideLogicalId(tableLogicalId(definition.id));
      tables[definition.id] = table;
    }

    this.backups = new TableBackups(this, 'Backups', {
      stageName: config.stageName,
      tables: backedUpTables.map((tableId) => tables[tableId]),
      retentionDays: config.backup.retentionDays,
      lock: config.backup.lock,
    });

    const secrets = {} as Record<SecretId, Secret>;
    for (const definition of Object.values(secretDefinitions)) {
      const secret = new Secret(this, `${pascalCase(definition.id)}Secret`, {
        description: definition.description,
        removalPolicy: config.removalPolicy,
        // Secrets Manager generates strings, not Ed25519 keys: the signing-key set and its public keys
        // start as a marker the functions refuse ("not initialised"). The rotation below replaces both on
        // deploy.
        generateSecretString: {
          secretStringTemplate: '{}',
          generateStringKey:
            definition.content.kind === 'random-string' ? definition.content.jsonKey : 'uninitialised',
          passwordLength: generatedSecretLength,
          excludePunctuation: true,
          includeSpace: false,
          requireEachIncludedType: true,
        },
      });
      (secret.node.defaultChild as CfnResource).overrideLogicalId(secretLogicalId(definition.id));
      if (definition.id === 'jwtVerificationKeys') {
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason:
            'Holds only the public keys of the signing-key secret, which rotates every 30 days; its rotation ' +
            'function writes this secret in the same rotation (setSecret), so the two stay in step. A ' +
            'schedule of its own would rotate it apart from the private keys it must match (ADR 0011).',
        });
      }
      if (definition.id === 'apiKeyPepper') {
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason:
            'Every stored API key hash is an HMAC under this pepper, so rotating it invalidates every API ' +
            'key at once (ADR 0008). It changes only on suspected compromise, by hand, with reissued keys.',
        });
      }
      secrets[definition.id] = secret;
    }

    // Rotates the signing keys on a schedule and publishes their public halves; the first rotation (on
    // deploy) writes the first key into both secrets (ADR 0011).
    this.signingKeyRotation = new SigningKeyRotation(this, 'SigningKeyRotation', {
      secret: secrets.jwtSigningKeys,
      verificationSecret: secrets.jwtVerificationKeys,
      config,
      projectRoot,
      encryptionKey: this.secretsKey.key,
    });

    // Each secret: its readers' roles, the rotation's where it writes the secret, break-glass roles.
    const rotationRole = this.signingKeyRotation.role.roleArn;
    const rotated: ReadonlySet<SecretId> = new Set(['jwtSigningKeys', 'jwtVerificationKeys']);
    this.secretAccess = { key: this.secretsKey.key, readers: secretReaders, roleNameOf };
    for (const [secretId, secret] of Object.entries(secrets) as [SecretId, Secret][]) {
      const readers = [
        ...readerArnsOf(secretReaders[secretId]),
        ...(rotated.has(secretId) ? [rotationRole] : []),
        ...breakGlass,
      ];
      this.secretsKey.encrypt(secret);
      if (config.secrets.denyUnlistedReaders) SecretsKey.restrictReads(secret, readers);
      this.secretsKey.allowDecrypt(readers);
      registerSecretAccess(secret, this.secretAccess);
    }
    if (!config.secrets.denyUnlistedReaders) {
      // Printed by cdk synth/deploy: the secrets are readable by any account role with GetSecretValue.
      Annotations.of(this).addWarningV2(
        'bulwark:secrets-migration',
        'Secrets migration deploy: the secrets deny nobody GetSecretValue; deploy again without -c secrets= ' +
          'once the API stack is deployed, then write new secret versions (docs/runbooks/rollout.md).',
      );
    }
    // The health probe's own secret (API stack) uses this key too; its resource policy names the probe.
    this.secretsKey.allowDecrypt(readerArnsOf([HEALTH_PROBE_FUNCTION_ID]));
    new CfnOutput(this, 'SecretsKeyArn', {
      value: this.secretsKey.key.keyArn,
      description: 'KMS key of the secrets: only the roles its policy names may decrypt (ADR 0018)',
    });

    this.tables = Object.freeze(tables);
    this.secrets = Object.freeze(secrets);
  }
}
