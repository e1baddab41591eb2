import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface TableBackupsProps {
  readonly stageName: string;
  /** The tables that cannot be rebuilt from anything else (users, API keys). */
  readonly tables: readonly ITable[];
  /** How long each daily recovery point is kept. */
  readonly retentionDays: number;
  /**
   * Lock the vault (prod): no recovery point can be deleted or have its retention shortened, by anyone,
   * before `retentionDays`; backup jobs with a shorter retention are refused.
   */
  readonly lock: boolean;
}

/** When the daily backup starts: 03:00 UTC, before Europe's and after the Americas' busy hours. */
export const DAILY_BACKUP_SCHEDULE = Schedule.cron({ minute: '0', hour: '3' });

/**
 * AWS Backup of the tables that hold what nothing else can rebuild (ADR 0018, "Backups"): a vault encrypted
 * with its own customer managed key, a daily plan keeping each recovery point `retentionDays`, and a
 * selection naming the tables by ARN. Point-in-time recovery stays on for those tables (the last 35 days
 * to the second, same account and region); the vault adds daily copies that an account principal cannot
 * delete early once it is locked (prod). Vault and key are retained in every stage: a vault holding recovery
 * points cannot be deleted, and the key must outlive them (runbook: docs/runbooks/backup-restore.md).
 */
export class TableBackups extends Construct {
  readonly key: Key;
  readonly vault: BackupVault;
  readonly plan: BackupPlan;

  constructor(scope: Construct, id: string, props: TableBackupsProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new TypeError(
        `TableBackups: retentionDays must be a positive integer, got ${props.retentionDays}`,
      );
    }
    if (props.tables.length === 0) throw new TypeError('TableBackups: no table to back up');
    const retention = Duration.days(props.retentionDays);
    this.key = new Key(this, 'Key', {
      description: `Encrypts the Bulwark ${props.stageName} backup vault (users and API-key tables)`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vault = new BackupVault(this, 'Vault', {
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
      // Vault Lock in governance mode (no changeableFor): no backup shorter than the minimum retention is
      // accepted, and the access policy denies every principal DeleteRecoveryPoint and
      // UpdateRecoveryPointLifecycle. Compliance mode (irreversible after 72 hours, even for the account) is
      // an operator's decision (runbook), not a default.
      ...(props.lock
        ? { lockConfiguration: { minRetention: retention }, blockRecoveryPointDeletion: true }
        : {}),
    });
    this.plan = new BackupPlan(this, 'Plan', {
      backupPlanName: `bulwark-${props.stageName}-tables`,
      backupVault: this.vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: DAILY_BACKUP_SCHEDULE,
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(4),
          deleteAfter: retention,
        }),
      ],
    });
    const selection = this.plan.addSelection('Tables', {
      resources: props.tables.map((table) => BackupResource.fromArn(table.tableArn)),
      allowRestores: true,
    });
    const reason =
      'AWS Backup assumes this role with the AWS managed service-role policies AWSBackupServiceRolePolicyForBackup ' +
      'and ...ForRestores, which AWS keeps in step with what Backup needs per resource type (DynamoDB backup, ' +
      'restore and advanced-backup actions). Only backup.amazonaws.com can assume it, and the selection names ' +
      'the two tables by ARN.';
    for (const policy of ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores']) {
      Validations.of(selection).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
        reason,
      });
    }
  }
}
