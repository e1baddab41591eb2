import { type CfnResource, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type SecretId, secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { type TableId, tableDefinitions } from '../../shared/resources/table-definitions.js';
import type { StageConfig } from '../config.js';
import { SigningKeyRotation } from '../constructs/signing-key-rotation.js';
import { repositoryRoot } from '../repository-root.js';

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
  /** Folder holding functions/ and package-lock.json; defaults to the repository root. */
  readonly projectRoot?: string;
}

const pascalCase = (id: string): string => id.charAt(0).toUpperCase() + id.slice(1);

/** Pinned logical IDs: moving a construct in the tree must never replace a table or a secret. */
export const tableLogicalId = (id: TableId): string => `${pascalCase(id)}Table`;
export const secretLogicalId = (id: SecretId): string => `${pascalCase(id)}Secret`;

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

  constructor(scope: Construct, id: string, props: DataStackProps) {
    const { config, projectRoot = repositoryRoot, ...stackProps } = props;
    super(scope, id, { terminationProtection: config.terminationProtection, ...stackProps });

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
    });

    this.tables = Object.freeze(tables);
    this.secrets = Object.freeze(secrets);
  }
}
