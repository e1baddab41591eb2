import { Aws, Duration, Lazy, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface SecretsKeyProps {
  readonly stageName: string;
  /** The stage's: a retained secret must keep the key that decrypts it. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * What administering the key needs, without any cryptographic operation: IAM may grant these to operators
 * and to CloudFormation (create, describe, tag, rotate, schedule or cancel deletion, change this policy).
 */
export const SECRETS_KEY_ADMIN_ACTIONS: readonly string[] = Object.freeze([
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
]);

/** What Secrets Manager asks of the key for a principal that writes a secret value (never a read). */
export const SECRETS_KEY_WRITE_ACTIONS: readonly string[] = Object.freeze([
  'kms:GenerateDataKey',
  'kms:Encrypt',
]);

/** The statement ids of the key policy and of the secrets' resource policies, for tests and operators. */
export const secretsKeySids = {
  administration: 'KeyAdministrationWithoutCryptography',
  write: 'EncryptThroughSecretsManagerInThisAccount',
  read: 'DecryptThroughSecretsManagerForNamedReadersOnly',
  denyOtherReaders: 'DenyGetSecretValueToAllButNamedReaders',
} as const;

/**
 * The customer managed key of the stage's secrets (signing keys, verification keys, API-key pepper, the
 * health probe's key), rotated yearly by KMS. Its policy is the whole of who may use it (ADR 0018):
 *
 * - account principals may administer it through IAM, with no cryptographic action;
 * - account principals may encrypt through Secrets Manager in this account and region only (writing a new
 *   secret version: CloudFormation, the rotation, an operator's put-secret-value);
 * - only the named reader roles may decrypt, only through Secrets Manager, only for secrets of this account
 *   and region (kms:ViaService, kms:CallerAccount and the SecretARN encryption context: no other service or
 *   account can be made to use it, the confused-deputy guard).
 *
 * Readers are named by `aws:PrincipalArn` (exact role ARNs, no wildcard), not as policy principals: KMS
 * refuses a principal that does not exist yet, and the route roles are created after this key, in the API
 * stack. Each secret's resource policy then denies GetSecretValue to everyone but that secret's readers.
 */
export class SecretsKey extends Construct {
  readonly key: Key;
  private readonly readerArns: string[] = [];

  constructor(scope: Construct, id: string, props: SecretsKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const viaSecretsManager = {
      StringEquals: {
        'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com`,
        'kms:CallerAccount': Aws.ACCOUNT_ID,
      },
      StringLike: {
        'kms:EncryptionContext:SecretARN': `arn:${Aws.PARTITION}:secretsmanager:${stack.region}:${Aws.ACCOUNT_ID}:secret:*`,
      },
    };
    const policy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: secretsKeySids.administration,
          principals: [new AccountRootPrincipal()],
          actions: [...SECRETS_KEY_ADMIN_ACTIONS],
          resources: ['*'],
        }),
        new PolicyStatement({
          sid: secretsKeySids.write,
          principals: [new AccountRootPrincipal()],
          actions: [...SECRETS_KEY_WRITE_ACTIONS],
          resources: ['*'],
          conditions: viaSecretsManager,
        }),
      ],
    });
    // Rendered when the template is: readers are added after the secrets and the rotation exist.
    policy.addStatements(
      new PolicyStatement({
        sid: secretsKeySids.read,
        principals: [new AccountRootPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ...viaSecretsManager,
          ArnEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.readerArns }) },
        },
      }),
    );
    this.key = new Key(this, 'Key', {
      description: `Encrypts the Bulwark ${props.stageName} secrets; only their named readers may decrypt`,
      enableKeyRotation: true,
      // A deleted key takes the secrets with it (the pepper: every API key): the longest wait KMS allows.
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy,
      policy,
    });
  }

  /**
   * Encrypts `secret` with the key. Set on the template resource, not through the Secret's `encryptionKey`:
   * with one, CDK adds statements to this key's policy that let every account principal decrypt through
   * Secrets Manager (and the rotation schedule adds more), which is what this key exists to prevent.
   */
  encrypt(secret: Secret): void {
    (secret.node.defaultChild as CfnSecret).kmsKeyId = this.key.keyArn;
  }

  /** Lets these role ARNs decrypt (through Secrets Manager); each secret still names its own readers. */
  allowDecrypt(roleArns: readonly string[]): void {
    for (const arn of roleArns) if (!this.readerArns.includes(arn)) this.readerArns.push(arn);
  }

  /**
   * Denies GetSecretValue on `secret` to every principal of any account except these roles, whatever their
   * IAM policies allow (an account role with `secretsmanager:GetSecretValue` on `*` included).
   */
  static restrictReads(secret: Secret, roleArns: readonly string[]): void {
    if (roleArns.length === 0) throw new TypeError('restrictReads: a secret needs at least one reader');
    secret.addToResourcePolicy(
      new PolicyStatement({
        sid: secretsKeySids.denyOtherReaders,
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['secretsmanager:GetSecretValue'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...roleArns] } },
      }),
    );
  }
}
