import { join, resolve } from 'node:path';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  type SecretDefinition,
  type SecretId,
  secretDefinitions,
} from '../../shared/resources/secret-definitions.js';
import {
  type TableDefinition,
  type TableId,
  tableDefinitions,
} from '../../shared/resources/table-definitions.js';
import type { TableGrant, TableGrants } from '../../shared/routes/route-definition.js';
import { type StageConfig, tracingOffReason } from '../config.js';
import { esmBundling } from './esm-bundling.js';
import { grantSecretRead } from './secret-readers.js';

export interface RouteFunctionProps {
  /** Route id: names the role and the alarms. */
  readonly routeId: string;
  readonly description: string;
  /** The app's root, holding package-lock.json; esbuild runs here. */
  readonly projectRoot: string;
  /** The function's handler module, relative to projectRoot (or absolute). */
  readonly entry: string;
  readonly config: StageConfig;
  /** Runtime variables shared by every function (see runtimeEnvironment()). */
  readonly environment: Readonly<Record<string, string>>;
  /** Defaults to the stage's `functions.memorySizeMb`. */
  readonly memorySizeMb?: number;
  /** Concurrent executions reserved for (and capped at) this function; none when absent. */
  readonly reservedConcurrentExecutions?: number;
  /** Encrypts the function's log group (its lines carry client addresses). */
  readonly logEncryptionKey?: IKey;
  /** The log group's name (functionLogGroupNameOf); absent: one CloudFormation generates. */
  readonly logGroupName?: string;
  /**
   * Why the function needs no dead-letter queue (cdk-nag Serverless-LambdaDLQ): by default, because only
   * API Gateway invokes it, synchronously.
   */
  readonly noDeadLetterQueueReason?: string;
  /**
   * A fixed role name: a function that reads a data stack's secret needs the one the data stack names in
   * the secrets key's and the secret's policies (readerRoleNameOf). Others get a generated name.
   */
  readonly roleName?: string;
}

/** What a function's entry in a route or gateway table says it touches. */
export interface FunctionGrants {
  readonly tables: TableGrants;
  readonly secrets: readonly SecretId[];
}

/** The tables and secrets of a stage, to grant from. */
export interface GrantableResources {
  readonly tables: Readonly<Record<TableId, ITable>>;
  readonly secrets: Readonly<Record<SecretId, ISecret>>;
}

/**
 * One route's Lambda function: ESM bundle for Node 24 on arm64, its own log group, and its own role whose
 * only permissions are writing to that log group plus what bindTable()/bindSecret() grant. API Gateway
 * invokes it synchronously, through the `live` alias CanaryReleases gives it.
 */
export class RouteFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    const { config } = props;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      ...(props.logGroupName === undefined ? {} : { logGroupName: props.logGroupName }),
      retention: config.logRetention,
      // A named group a stage retains is retained on update and delete, not when its creation rolls back:
      // a group kept from a failed deploy (a canary rolled back) would block the retry with its name.
      removalPolicy:
        props.logGroupName !== undefined && config.removalPolicy === RemovalPolicy.RETAIN
          ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
          : config.removalPolicy,
      ...(props.logEncryptionKey === undefined ? {} : { encryptionKey: props.logEncryptionKey }),
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy allows writing to
    // every log group in the account, this one only to the function's own.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.routeId} route function`,
      ...(props.roleName === undefined ? {} : { roleName: props.roleName }),
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: resolve(props.projectRoot, props.entry),
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySizeMb ?? config.functions.memorySizeMb,
      timeout: config.functions.timeout,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      role: this.role,
      logGroup: this.logGroup,
      tracing: config.tracingEnabled ? Tracing.ACTIVE : Tracing.DISABLED,
      // No --enable-source-maps: Node would read and parse the bundle's map at every cold start (15-22 % of
      // init measured); the map ships beside index.mjs for scripts/resolve-stack.ts instead (esm-bundling.ts).
      environment: props.environment,
      bundling: esmBundling,
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        props.noDeadLetterQueueReason ??
        'Only API Gateway invokes this function, synchronously through its live alias; a dead-letter ' +
          'queue only receives failed asynchronous invocations, so it would stay empty. Failures surface ' +
          'as 5xx answers and in the Errors alarm.',
    });
    if (config.tracingEnabled) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
          'resource-level permissions; every other statement of this role names its log group, table or secret.',
      });
    } else {
      Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaTracing', reason: tracingOffReason });
    }
  }

  /** Grants everything an entry of a route or gateway table declares, and nothing else. */
  grantEntry(entry: FunctionGrants, resources: GrantableResources): void {
    for (const [tableId, grants] of Object.entries(entry.tables) as [
      TableId,
      readonly TableGrant[] | undefined,
    ][]) {
      if (grants !== undefined) this.bindTable(resources.tables[tableId], tableDefinitions[tableId], grants);
    }
    for (const secretId of entry.secrets)
      this.bindSecret(resources.secrets[secretId], secretDefinitions[secretId]);
    if (entry.secrets.length >= 2) this.allowBatchSecretReads();
  }

  /**
   * A function that reads two or more secrets fetches them at cold start in one BatchGetSecretValue
   * (secretsManagerSecretStore, `batch`): one request less per cold start. The action has no resource-level
   * permissions; Secrets Manager still checks GetSecretValue on each secret, which the statements of
   * bindSecret() and the secrets' resource policies decide, so `*` here reads nothing more.
   */
  private allowBatchSecretReads(): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:BatchGetSecretValue'], resources: ['*'] }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'secretsmanager:BatchGetSecretValue supports no resource-level permissions; each secret it returns ' +
        "also needs GetSecretValue, granted on this function's own secrets only and denied to all other " +
        'roles by their resource policies.',
    });
  }

  /**
   * Grants exactly `grants` on the table, one statement each, and tells the function its name, in one
   * call so neither drifts. Each statement names the table's ARN alone (no index, no stream) and, where
   * the grant lists leading keys, only items whose partition key matches one of them. CDK's grantX
   * helpers are not used: they add Scan, Query, the batch calls and DescribeTable, none of which the
   * functions need (only list-api-keys scans, and says so; Query is granted by leading key like an item).
   */
  bindTable(table: ITable, definition: TableDefinition, grants: readonly TableGrant[]): void {
    if (table.encryptionKey !== undefined) {
      // A customer-managed table key would need kms:Decrypt (and Encrypt for writers) beside these.
      throw new TypeError(
        `Table ${definition.id} has a customer-managed key; bindTable grants no KMS access`,
      );
    }
    if (grants.length === 0) throw new TypeError(`No grants for table ${definition.id}`);
    for (const grant of grants) {
      if (grant.actions.length === 0) throw new TypeError(`A grant on ${definition.id} has no actions`);
      const leadingKeys = 'leadingKeys' in grant ? grant.leadingKeys : undefined;
      if (leadingKeys !== undefined && leadingKeys.length === 0) {
        throw new TypeError(`A grant on ${definition.id} lists no leading keys; leave them out for any key`);
      }
      if (
        (grant.actions as readonly string[]).includes('Scan') &&
        (grant.actions.length > 1 || leadingKeys !== undefined)
      ) {
        // Scan carries no key, so ForAllValues over dynamodb:LeadingKeys would hold vacuously.
        throw new TypeError(`Scan on ${definition.id} must be a grant of its own, without leading keys`);
      }
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: grant.actions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
          ...(leadingKeys === undefined
            ? {}
            : { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } } }),
        }),
      );
    }
    this.function.addEnvironment(definition.environmentVariable, table.tableName);
  }

  /** Grants DescribeSecret alone (rotation dates, never the value) and tells the function the ARN. */
  bindSecretMetadata(secret: ISecret, definition: SecretDefinition): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:DescribeSecret'], resources: [secret.secretArn] }),
    );
    this.function.addEnvironment(definition.environmentVariable, secret.secretArn);
  }

  /** Grants read on the secret and tells the function its ARN (never its value). */
  bindSecret(secret: ISecret, definition: SecretDefinition): void {
    grantSecretRead(this.function, secret);
    this.function.addEnvironment(definition.environmentVariable, secret.secretArn);
  }
}
