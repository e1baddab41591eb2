import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { environmentOf, type StageRuntimeValues } from '../shared/config/environment-of.js';
import { parseRuntimeConfig, type RuntimeConfig } from '../shared/config/runtime-config.js';

/**
 * Deploy-time configuration, typed per stage. Nothing here reads process.env or CDK context: infra/app.ts
 * picks the stage and passes the resulting object down, so stacks and tests see the same values.
 */

export const stageNames = ['dev', 'prod'] as const;
export type StageName = (typeof stageNames)[number];

/**
 * The runtime settings a stage gives its functions: the typed config they parse from their environment
 * (stageConfig() derives it from the stage's values through the same settings table, so infrastructure
 * and functions read one thing).
 */
export type RuntimeSettings = RuntimeConfig;

/** A stage as written below: its runtime values are only the settings it sets (the rest keep defaults). */
type StageDefinition = Omit<StageConfig, 'runtime'> & { readonly runtime: StageRuntimeValues };

export interface StageConfig {
  readonly stageName: StageName;
  readonly runtime: RuntimeSettings;
  /** Applied to tables, secrets and log groups. */
  readonly removalPolicy: RemovalPolicy;
  /** DynamoDB deletion protection. */
  readonly deletionProtection: boolean;
  /** CloudFormation termination protection of both stacks (data and API). */
  readonly terminationProtection: boolean;
  readonly logRetention: RetentionDays;
  /** Stage-wide method throttling defaults of the REST API. */
  readonly throttling: { readonly rateLimitPerSecond: number; readonly burstLimit: number };
  /** Active X-Ray tracing on the API stage and the functions. */
  readonly tracingEnabled: boolean;
  readonly functions: { readonly memorySizeMb: number; readonly timeout: Duration };
  readonly operations: OperationsSettings;
}

/** WAF, alarms and rollout: what operators tune per stage (docs/adr/0010-deployment-and-operations.md). */
export interface OperationsSettings {
  readonly waf: {
    /**
     * Requests one client IP may send in any 5-minute window before WAF blocks it (the coarse first line;
     * the route limiter in the functions is the exact one). WAF accepts 10 to 2,000,000,000.
     */
    readonly requestsPerIpPer5Minutes: number;
  };
  readonly alarms: {
    /** Subscribed to the alarm topic when set; confirm the subscription e-mail after the first deploy. */
    readonly email?: string;
    /** Lambda Errors (unhandled failures) of one function in one minute that put it in alarm. */
    readonly functionErrorsPerMinute: number;
    /** Lambda Throttles of one function in one minute that put it in alarm. */
    readonly functionThrottlesPerMinute: number;
    /** `auth_failure` over all routes in five minutes that counts as a spike. */
    readonly authFailuresPer5Minutes: number;
    /** Share of requests answered 5xx by the stage, in percent, over one minute (two of three minutes). */
    readonly serverErrorRatePercent: number;
  };
}

/**
 * Why a stage without tracing passes cdk-nag's tracing rules (Serverless-APIGWXrayEnabled on the API stage,
 * Serverless-LambdaTracing on each function): an acknowledgement with this reason, never a fix.
 */
export const tracingOffReason =
  'X-Ray tracing is a per-stage setting (StageConfig.tracingEnabled): prod traces the stage and every ' +
  'function; dev leaves it off to keep its cost and trace volume at zero.';

const sharedRuntime = {
  // Access tokens for users, API keys for machines; both verified in the functions.
  auth: { strategy: 'jwt_or_api_key', header: 'x-api-key' },
  bodyMaxBytes: 65_536,
  trustProxyHops: 0,
  logLevel: 'info',
  passwordBcryptCost: 11,
  secretsCacheTtlSeconds: 300,
  rateLimit: { defaultRequests: 100, defaultWindowSeconds: 60, failureMode: 'fail-closed', timeoutMs: 300 },
} as const satisfies StageRuntimeValues;

const stages: Readonly<Record<StageName, StageDefinition>> = {
  dev: {
    stageName: 'dev',
    runtime: {
      ...sharedRuntime,
      environment: 'development',
      cors: { enabled: true, allowOrigins: ['http://localhost:5173'], maxAgeSeconds: 600 },
      trustedHosts: [],
    },
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    terminationProtection: false,
    logRetention: RetentionDays.ONE_MONTH,
    throttling: { rateLimitPerSecond: 20, burstLimit: 40 },
    tracingEnabled: false,
    // bcrypt cost 11 is CPU-bound: Lambda CPU grows with memory, 1024 MB keeps hashing near 200 ms.
    functions: { memorySizeMb: 1024, timeout: Duration.seconds(10) },
    operations: {
      waf: { requestsPerIpPer5Minutes: 2_000 },
      alarms: {
        functionErrorsPerMinute: 1,
        functionThrottlesPerMinute: 1,
        authFailuresPer5Minutes: 100,
        serverErrorRatePercent: 5,
      },
    },
  },
  prod: {
    stageName: 'prod',
    runtime: {
      ...sharedRuntime,
      environment: 'production',
      // OPERATORS MUST EDIT: placeholder origin. List the exact origins of the browser apps that call the
      // API (scheme://host[:port], no path). Production refuses an empty list and "*" at cold start.
      cors: { enabled: true, allowOrigins: ['https://app.example.com'], maxAgeSeconds: 600 },
      // Add custom domain names here once the API gets one; the execute-api host is added automatically.
      trustedHosts: [],
    },
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    terminationProtection: true,
    logRetention: RetentionDays.ONE_YEAR,
    throttling: { rateLimitPerSecond: 100, burstLimit: 200 },
    tracingEnabled: true,
    functions: { memorySizeMb: 1024, timeout: Duration.seconds(10) },
    operations: {
      waf: { requestsPerIpPer5Minutes: 2_000 },
      alarms: {
        // OPERATORS MAY SET: an on-call address subscribed to the alarm topic (or subscribe a pager to the
        // topic ARN output instead).
        functionErrorsPerMinute: 1,
        functionThrottlesPerMinute: 1,
        authFailuresPer5Minutes: 200,
        serverErrorRatePercent: 1,
      },
    },
  },
};

const isStageName = (name: string): name is StageName => (stageNames as readonly string[]).includes(name);

/** The configuration of one stage; a typo in `-c stage=...` fails the synth instead of deploying dev. */
export const stageConfig = (name: string): StageConfig => {
  if (!isStageName(name)) {
    throw new TypeError(
      `Unknown stage "${name}": expected one of ${stageNames.join(', ')} (cdk -c stage=<name>)`,
    );
  }
  const stage = stages[name];
  // Parsed exactly as a function will parse it, so a bad stage value fails the synth, naming the variable.
  const runtime = parseRuntimeConfig(environmentOf(stage.runtime));
  if (stage.stageName === 'prod' && runtime.rateLimit.failureMode !== 'fail-closed') {
    // Fail-open in production is a temporary, change-controlled switch on the function (see the runbook).
    throw new TypeError('Stage prod must rate limit fail-closed');
  }
  if (stage.stageName === 'prod' && runtime.realtime.limiterFailureMode !== 'fail-closed') {
    // The realtime gateway's limiter follows the API's rule (ADR 0014).
    throw new TypeError('Stage prod must apply the realtime limits fail-closed');
  }
  const { waf, alarms } = stage.operations;
  if (!Number.isInteger(waf.requestsPerIpPer5Minutes) || waf.requestsPerIpPer5Minutes < 10) {
    throw new TypeError(
      `Stage ${name}: the WAF rate limit must be an integer of at least 10 (WAF's minimum)`,
    );
  }
  if (!(alarms.serverErrorRatePercent > 0 && alarms.serverErrorRatePercent <= 100)) {
    throw new TypeError(`Stage ${name}: serverErrorRatePercent must be in (0, 100]`);
  }
  return { ...stage, runtime };
};

/**
 * The runtime settings as the environment variables shared/config/runtime-config.ts parses: one
 * variable per stage setting, derived from the settings table (shared/config/runtime-settings.ts).
 */
export const runtimeEnvironment = (runtime: RuntimeSettings): Record<string, string> =>
  environmentOf(runtime);
