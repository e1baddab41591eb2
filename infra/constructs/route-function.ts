import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { TableAccess } from '../../shared/http/route-table.js';
import { functionEntry } from '../../shared/http/route-table.js';
import type { SecretDefinition } from '../../shared/tables/secret-definitions.js';
import type { TableDefinition } from '../../shared/tables/table-definitions.js';
import type { StageConfig } from '../config.js';
import { esmBundling } from './esm-bundling.js';

export interface RouteFunctionProps {
  /** Route id: the folder under functions/ and the construct id. */
  readonly routeId: string;
  readonly description: string;
  /** Repository root holding functions/ and package-lock.json. */
  readonly projectRoot: string;
  readonly config: StageConfig;
  /** Runtime variables shared by every function (see runtimeEnvironment()). */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * One route's Lambda function: ESM bundle for Node 24 on arm64, its own log group, and its own role whose
 * only permissions are writing to that log group plus what bindTable()/bindSecret() grant.
 */
export class RouteFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    const { config } = props;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy allows writing to
    // every log group in the account, this one only to the function's own.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.routeId} route function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: join(props.projectRoot, functionEntry(props.routeId)),
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: config.functions.memorySizeMb,
      timeout: config.functions.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: config.tracingEnabled ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: esmBundling,
    });
    if (config.tracingEnabled) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
          'resource-level permissions; every other statement of this role names its log group, table or secret.',
      });
    }
  }

  /** Grants exactly `access` on the table and tells the function its name, in one call so neither drifts. */
  bindTable(table: ITable, definition: TableDefinition, access: TableAccess): void {
    switch (access) {
      case 'read':
        table.grantReadData(this.function);
        break;
      case 'write':
        table.grantWriteData(this.function);
        break;
      case 'readWrite':
        table.grantReadWriteData(this.function);
        break;
      case 'conditionCheck':
        // To prove a revocation marker absent inside the rate limiter's transaction, or by a consistent
        // read when concurrent transactions on the marker conflict.
        table.grant(this.function, 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem');
        break;
      case 'conditionalUpdate':
        // The rate limiter decides with one conditional UpdateItem and needs nothing else.
        table.grant(this.function, 'dynamodb:UpdateItem');
        break;
      default: {
        const unknown: never = access;
        throw new TypeError(`Unknown table access "${String(unknown)}" for ${definition.id}`);
      }
    }
    this.function.addEnvironment(definition.environmentVariable, table.tableName);
  }

  /** Grants read on the secret and tells the function its ARN (never its value). */
  bindSecret(secret: ISecret, definition: SecretDefinition): void {
    secret.grantRead(this.function);
    this.function.addEnvironment(definition.environmentVariable, secret.secretArn);
  }
}
