import { ArnFormat, type CfnResource, Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type { ILambdaApplication, ILambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type IFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import type { StageConfig } from '../config.js';
import { bulwarkModule } from './bulwark-module.js';
import { esmBundling } from './esm-bundling.js';

export interface PreTrafficHookProps {
  readonly config: Pick<StageConfig, 'stageName' | 'logRetention' | 'removalPolicy'>;
  /** The app's root, holding package-lock.json; esbuild runs here. */
  readonly projectRoot: string;
  /** The CodeDeploy application whose deployments the hook reads. */
  readonly application: ILambdaApplication;
  readonly logEncryptionKey?: IKey;
}

/** The logical id cdk-nag prints for a function in its findings (`<LogicalId.Arn>`). */
export const logicalIdOf = (fn: IFunction): string =>
  Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnResource);

/** The request the hook sends a function: its route's method and path; JSON routes get an empty object. */
export interface PreTrafficProbe {
  readonly method: string;
  readonly path: string;
  readonly jsonBody: boolean;
}

/**
 * CodeDeploy's BeforeAllowTraffic hook for every release of the API (functions/pre-traffic-hook/): it reads
 * which version a deployment releases, invokes that version with its route's synthetic, unauthenticated
 * request, and fails the release unless the security chain answered below 500 with its headers. probe()
 * registers a function; the hook may invoke only the versions of registered functions.
 */
export class PreTrafficHook extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  private readonly probes: { functionName: string; method: string; path: string; jsonBody: boolean }[] = [];
  /** The role's policy in each other stack holding probed functions (a nested stack, ADR 0018). */
  private readonly policies = new Map<Stack, Policy>();

  constructor(scope: Construct, id: string, props: PreTrafficHookProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
      ...(props.logEncryptionKey === undefined ? {} : { encryptionKey: props.logEncryptionKey }),
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Execution role of the pre-traffic hook: reads deployments, invokes the released versions',
    });
    this.logGroup.grantWrite(this.role);
    const applicationName = props.application.applicationName;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['codedeploy:GetApplicationRevision'],
        resources: [
          stack.formatArn({
            service: 'codedeploy',
            resource: 'application',
            resourceName: applicationName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );

    // Bulwark's own module, bundled from the app's root when Bulwark is installed there (node_modules/bulwark).
    this.function = new NodejsFunction(this, 'Function', {
      description: `Bulwark ${config.stageName}: calls each new function version before CodeDeploy shifts traffic`,
      ...bulwarkModule(props.projectRoot, 'functions/pre-traffic-hook/handler.ts'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      // A cold start of the probed version (secrets included) and its answer, with room to spare.
      timeout: Duration.seconds(60),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.DISABLED,
      environment: {
        BULWARK_PRE_TRAFFIC_PROBES: Lazy.string({ produce: () => stack.toJsonString(this.probes) }),
        BULWARK_API_STAGE: config.stageName,
      },
      bundling: esmBundling,
    });
    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Only CodeDeploy invokes this hook, once per release of a function, and waits for its verdict ' +
          '(PutLifecycleEventHookExecutionStatus); a hook that never reports fails the release when CodeDeploy ' +
          'times it out. A dead-letter queue would hold the event of a release that already failed.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'Runs once per release with two calls (CodeDeploy, Lambda) and logs its verdict with the request id ' +
          'it sent; tracing would add xray actions on "*" to a role that names its resources.',
      },
    );
  }

  /** Where the functions expect requests: the API's own host name (their TRUSTED_HOSTS). */
  useHost(host: string): void {
    this.function.addEnvironment('BULWARK_API_HOST', host);
  }

  /**
   * Registers `fn`: the hook may invoke its versions, with `probe` as the request. Any version (`:*`): the
   * one being released is new at every deploy, and a policy naming it could reach IAM after the hook runs.
   */
  probe(fn: IFunction, probe: PreTrafficProbe): void {
    this.probes.push({ functionName: fn.functionName, ...probe });
    const policy = this.grantBeside(
      fn,
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [`${fn.functionArn}:*`] }),
    );
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`,
      reason:
        'The hook invokes whichever version of this function CodeDeploy is releasing, so it may invoke its ' +
        'versions (`:*`); a policy naming the new version could reach IAM only after the hook has run.',
    });
  }

  /** The hook reads the deployments of `deploymentGroup` (which version it releases). */
  readDeploymentsOf(deploymentGroup: ILambdaDeploymentGroup): void {
    this.grantBeside(
      deploymentGroup,
      new PolicyStatement({
        actions: ['codedeploy:GetDeployment'],
        resources: [deploymentGroup.deploymentGroupArn],
      }),
    );
  }

  /**
   * Adds `statement` to the role, in the stack that holds `target`: the role's own policy in this stack, or
   * a policy of the role in the target's (nested) stack, so the statement names the target's own logical
   * id and no output carries it here. Returns the construct that holds the statement (for acknowledgements).
   */
  private grantBeside(target: IConstruct, statement: PolicyStatement): IConstruct {
    const stack = Stack.of(target);
    if (stack === Stack.of(this)) {
      this.role.addToPrincipalPolicy(statement);
      return this.role;
    }
    let policy = this.policies.get(stack);
    if (policy === undefined) {
      policy = new Policy(stack, 'PreTrafficHookPolicy', { roles: [this.role] });
      this.policies.set(stack, policy);
    }
    policy.addStatements(statement);
    return policy;
  }
}
