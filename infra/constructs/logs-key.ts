import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface LogsKeyProps {
  readonly stageName: string;
  /** The stage's: a retained log group must keep the key that decrypts it. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The customer managed key of the stage's log groups, which hold client addresses (access logs, WAF logs,
 * function logs): readable only by principals the key policy or IAM lets decrypt, and crypto-shredded with
 * the key. CloudWatch Logs may use it only for log groups of this account and region (the encryption
 * context names the log group), so no other account's log group can be made to use it.
 */
export class LogsKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: LogsKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new Key(this, 'Key', {
      description: `Encrypts the Bulwark ${props.stageName} log groups (they hold client addresses)`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: props.removalPolicy,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}
