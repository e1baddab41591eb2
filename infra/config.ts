import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { environmentOf, type StageRuntimeValues } from '../shared/config/environment-of.js';
import { parseRuntimeConfig, type RuntimeConfig } from '../shared/config/runtime-config.js';
import { settingsOf } from '../shared/config/runtime-setting.js';
import { runtimeSettings } from '../shared/config/runtime-settings.js';
import { type CapacityClass, capacityClasses } from '../shared/routes/route-definition.js';

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
type StageDefinition = Omit<StageConfig, 'runtime' | 'release' | 'overridden' | 'secrets'> & {
  readonly runtime: StageRuntimeValues;
  readonly secrets: Omit<StageConfig['secrets'], 'denyUnlistedReaders'>;
};

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
  /**
   * Stage-wide method throttling default of the REST API (all resources, all methods): every method gets its
   * own setting from its capacity class, so this applies only to methods added outside the route table.
   */
  readonly throttling: Throttle;
  /** Active X-Ray tracing on the API stage and the functions. */
  readonly tracingEnabled: boolean;
  readonly functions: {
    /** Functions that do not hash passwords: they wait on DynamoDB and Secrets Manager, not the CPU. */
    readonly memorySizeMb: number;
    /** Functions whose entry says `hashesPasswords` (bcrypt is CPU-bound; Lambda CPU grows with memory). */
    readonly hashingMemorySizeMb: number;
    readonly timeout: Duration;
  };
  /** Reserved concurrency and stage throttles per capacity class (ADR 0010, "Blast radius"). */
  readonly capacity: CapacitySettings;
  readonly operations: OperationsSettings;
  /** Who may read the secrets besides the functions the route table names (ADR 0018, "Secrets"). */
  readonly secrets: {
    /**
     * IAM role ARNs an operator assumes to read or repair a secret by hand (break glass: the signing-key
     * runbook's manual replacement). Every other principal of the account is refused GetSecretValue by the
     * secrets' resource policies, and kms:Decrypt by the secrets key, whatever its IAM policies allow.
     * Empty: only the functions and the rotation can read them.
     */
    readonly breakGlassRoleArns: readonly string[];
    /**
     * The secrets' resource policies deny GetSecretValue to every role but their readers. False only for
     * the one deploy that moves a stage deployed before the secrets key (`cdk deploy -c secrets=migration`,
     * docs/runbooks/rollout.md): the reader roles get their names in the API stack before any deny names them.
     */
    readonly denyUnlistedReaders: boolean;
  };
  /** AWS Backup of the tables nothing can rebuild (users, API keys): ADR 0018, "Backups". */
  readonly backup: {
    /** Days each daily recovery point is kept (point-in-time recovery keeps its own 35 days besides). */
    readonly retentionDays: number;
    /** Vault Lock and a deny-delete access policy on the vault: no recovery point is deleted early. */
    readonly lock: boolean;
  };
  /**
   * How new function versions reach the `live` alias: `canary` (10 % for 5 minutes, rolled back on
   * alarms), or `all-at-once` for an emergency change that must reach traffic now, even while alarms fire
   * (`cdk deploy -c release=all-at-once`; docs/runbooks/rollout.md, "Deploying during an incident").
   */
  readonly release: 'canary' | 'all-at-once';
  /** Variables set by an emergency override (`-c set:VARIABLE=value`) instead of this file; empty normally. */
  readonly overridden: readonly string[];
}

/**
 * What infra/app.ts reads from CDK context for one deploy: runtime variables overridden without editing
 * this file (`-c set:SECURITY_LIMITER_FAILURE_MODE=fail-open`), and the release mode.
 */
export interface StageOptions {
  readonly overrides?: Readonly<Record<string, string>>;
  readonly release?: string;
  /** `migration` leaves out the secrets' deny statements for one deploy (StageConfig.secrets). */
  readonly secrets?: string;
}

/** An API Gateway token bucket: requests per second on average, and at once. */
export interface Throttle {
  readonly rateLimitPerSecond: number;
  readonly burstLimit: number;
}

/** What one function of a capacity class may use, and how fast the stage lets requests reach it. */
export interface ClassCapacity extends Throttle {
  /**
   * Concurrent executions reserved for (and capped at) each function of the class: a flood on one route
   * cannot take the account's concurrency from another route or from other workloads.
   */
  readonly reservedConcurrency: number;
}

export interface CapacitySettings {
  /**
   * The account's Lambda concurrency quota in the stage's region (`aws lambda get-account-settings`,
   * `ConcurrentExecutions`). The functions' reservations must leave the 100 that Lambda keeps unreserved,
   * and the account-concurrency alarm fires at `alarmPercent` of it. New accounts often start far lower
   * than 1,000: ask for an increase, or lower the reservations.
   */
  readonly accountConcurrency: number;
  readonly alarmPercent: number;
  readonly classes: Readonly<Record<CapacityClass, ClassCapacity>>;
}

/** WAF, alarms and rollout: what operators tune per stage (docs/adr/0010-deployment-and-operations.md). */
export interface OperationsSettings {
  readonly waf: {
    /**
     * Requests one client IP may send in any 5-minute window before WAF blocks it (the coarse first line;
     * the route limiter in the functions is the exact one). WAF accepts 10 to 2,000,000,000.
     */
    readonly requestsPerIpPer5Minutes: number;
    /**
     * The same for the routes whose capacity class is `credentials` (login, refresh), counted on their own:
     * far lower than the global rule, so one address cannot spend its global budget on password guesses.
     */
    readonly credentialRequestsPerIpPer5Minutes: number;
    /** Requests the web ACL blocks in 5 minutes (all rules) that page. */
    readonly blockedRequestsPer5Minutes: number;
    /** Requests the two per-IP rate rules block together in 5 minutes that page (a flood or a guessing run). */
    readonly rateRuleBlocksPer5Minutes: number;
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
    /** The stage's p99 latency, in milliseconds, that pages when exceeded in 3 of 5 minutes. */
    readonly latencyP99Ms: number;
    /** A function's maximum duration, in percent of its timeout, that pages (a hung backend shows here first). */
    readonly durationPercentOfTimeout: number;
    /** Requests API Gateway's stage and method throttles answered 429 in 5 minutes that page. */
    readonly gatewayThrottlesPer5Minutes: number;
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
  // OPERATORS MAY SET: the model POST /debug/summarize-errors asks, such as
  // triage: { modelId: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0' } (an inference profile enabled in the
  // account); the CDK grants InvokeModel on it alone. Unset: the route answers with the redacted digest only.
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
    // bcrypt cost 11 is CPU-bound: Lambda CPU grows with memory, 1024 MB keeps hashing near 200 ms. The
    // other functions wait on DynamoDB and Secrets Manager and get half of it.
    functions: { memorySizeMb: 512, hashingMemorySizeMb: 1024, timeout: Duration.seconds(10) },
    capacity: {
      accountConcurrency: 1_000,
      alarmPercent: 80,
      classes: {
        credentials: { reservedConcurrency: 5, rateLimitPerSecond: 5, burstLimit: 10 },
        public: { reservedConcurrency: 3, rateLimitPerSecond: 10, burstLimit: 20 },
        standard: { reservedConcurrency: 5, rateLimitPerSecond: 20, burstLimit: 40 },
        admin: { reservedConcurrency: 2, rateLimitPerSecond: 2, burstLimit: 5 },
        fallback: { reservedConcurrency: 3, rateLimitPerSecond: 10, burstLimit: 20 },
      },
    },
    operations: {
      waf: {
        requestsPerIpPer5Minutes: 2_000,
        credentialRequestsPerIpPer5Minutes: 100,
        blockedRequestsPer5Minutes: 500,
        rateRuleBlocksPer5Minutes: 200,
      },
      alarms: {
        functionErrorsPerMinute: 1,
        functionThrottlesPerMinute: 1,
        authFailuresPer5Minutes: 100,
        serverErrorRatePercent: 5,
        latencyP99Ms: 3_000,
        durationPercentOfTimeout: 80,
        gatewayThrottlesPer5Minutes: 100,
      },
    },
    secrets: { breakGlassRoleArns: [] },
    backup: { retentionDays: 7, lock: false },
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
    functions: { memorySizeMb: 512, hashingMemorySizeMb: 1024, timeout: Duration.seconds(10) },
    capacity: {
      // OPERATORS MUST CHECK: the account's real quota (`aws lambda get-account-settings`).
      accountConcurrency: 1_000,
      alarmPercent: 80,
      classes: {
        // Login hashes for about 0.3 s: 10 a second is 3 busy instances; the rest is headroom for refresh.
        credentials: { reservedConcurrency: 40, rateLimitPerSecond: 10, burstLimit: 20 },
        public: { reservedConcurrency: 10, rateLimitPerSecond: 50, burstLimit: 100 },
        standard: { reservedConcurrency: 50, rateLimitPerSecond: 100, burstLimit: 200 },
        admin: { reservedConcurrency: 5, rateLimitPerSecond: 5, burstLimit: 10 },
        fallback: { reservedConcurrency: 10, rateLimitPerSecond: 50, burstLimit: 100 },
      },
    },
    operations: {
      waf: {
        requestsPerIpPer5Minutes: 2_000,
        credentialRequestsPerIpPer5Minutes: 100,
        blockedRequestsPer5Minutes: 1_000,
        rateRuleBlocksPer5Minutes: 200,
      },
      alarms: {
        // OPERATORS MAY SET: an on-call address subscribed to the alarm topic (or subscribe a pager to the
        // topic ARN output instead).
        functionErrorsPerMinute: 1,
        functionThrottlesPerMinute: 1,
        authFailuresPer5Minutes: 200,
        serverErrorRatePercent: 1,
        latencyP99Ms: 2_000,
        durationPercentOfTimeout: 80,
        gatewayThrottlesPer5Minutes: 100,
      },
    },
    // OPERATORS MAY SET: the role your operators assume to read or repair a secret by hand, such as
    // 'arn:aws:iam::<account>:role/bulwark-prod-break-glass' (exact ARN, no path wildcard).
    secrets: { breakGlassRoleArns: [] },
    backup: { retentionDays: 35, lock: true },
  },
};

const isStageName = (name: string): name is StageName => (stageNames as readonly string[]).includes(name);

/** The variables a stage sets, and so the only ones an emergency override may change. */
const stageVariables: ReadonlySet<string> = new Set(
  settingsOf(runtimeSettings)
    .filter(({ setting }) => setting.setBy === 'stage')
    .map(({ setting }) => setting.variable),
);

const releaseModes = ['canary', 'all-at-once'] as const;
const secretsModes = ['readers-only', 'migration'] as const;

/**
 * The configuration of one stage; a typo in `-c stage=...` fails the synth instead of deploying dev.
 * Emergency overrides are parsed like the stage's own values (and production's refusals apply to them),
 * so a bad value fails the synth, naming the variable, before anything deploys.
 */
export const stageConfig = (name: string, options: StageOptions = {}): StageConfig => {
  if (!isStageName(name)) {
    throw new TypeError(
      `Unknown stage "${name}": expected one of ${stageNames.join(', ')} (cdk -c stage=<name>)`,
    );
  }
  const stage = stages[name];
  const overrides = options.overrides ?? {};
  const unknown = Object.keys(overrides).filter((variable) => !stageVariables.has(variable));
  if (unknown.length > 0) {
    throw new TypeError(
      `Cannot override ${unknown.join(', ')}: only stage settings can be set (${[...stageVariables].join(', ')})`,
    );
  }
  const release = options.release ?? 'canary';
  if (!(releaseModes as readonly string[]).includes(release)) {
    throw new TypeError(`Unknown release "${release}": expected one of ${releaseModes.join(', ')}`);
  }
  const secretsMode = options.secrets ?? 'readers-only';
  if (!(secretsModes as readonly string[]).includes(secretsMode)) {
    throw new TypeError(`Unknown secrets "${secretsMode}": expected one of ${secretsModes.join(', ')}`);
  }
  // Parsed exactly as a function will parse it, so a bad stage value fails the synth, naming the variable.
  const runtime = parseRuntimeConfig({ ...environmentOf(stage.runtime), ...overrides });
  const failureModeVariable = runtimeSettings.rateLimit.failureMode.variable;
  if (
    stage.stageName === 'prod' &&
    runtime.rateLimit.failureMode !== 'fail-closed' &&
    overrides[failureModeVariable] === undefined
  ) {
    // Fail-open in production is a temporary switch made for one deploy (an override, which production's
    // refusals require to be acknowledged), never a value left in this file.
    throw new TypeError('Stage prod must rate limit fail-closed');
  }
  // A hung model is cut off well inside the function's own timeout: at most half of it, the rest for
  // the log query, DynamoDB and the answer.
  if (runtime.triage.modelTimeoutMs * 2 > stage.functions.timeout.toMilliseconds()) {
    throw new TypeError(
      `Stage ${name}: TRIAGE_MODEL_TIMEOUT_MS (${runtime.triage.modelTimeoutMs}) must be at most half the function timeout`,
    );
  }
  if (
    stage.stageName === 'prod' &&
    runtime.realtime.limiterFailureMode !== 'fail-closed' &&
    overrides[runtimeSettings.realtime.limiterFailureMode.variable] === undefined
  ) {
    // The realtime gateway's limiter follows the API's rule (ADR 0014): fail-open only as a one-deploy override.
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
  if (
    !Number.isInteger(waf.credentialRequestsPerIpPer5Minutes) ||
    waf.credentialRequestsPerIpPer5Minutes < 10 ||
    waf.credentialRequestsPerIpPer5Minutes >= waf.requestsPerIpPer5Minutes
  ) {
    throw new TypeError(
      `Stage ${name}: the WAF credential rate limit must be an integer of at least 10, below the global one`,
    );
  }
  if (!(alarms.durationPercentOfTimeout > 0 && alarms.durationPercentOfTimeout < 100)) {
    throw new TypeError(`Stage ${name}: durationPercentOfTimeout must be in (0, 100)`);
  }
  validateCapacity(name, stage.capacity);
  if (!Number.isInteger(stage.backup.retentionDays) || stage.backup.retentionDays < 1) {
    throw new TypeError(`Stage ${name}: backup.retentionDays must be a positive integer`);
  }
  for (const arn of stage.secrets.breakGlassRoleArns) {
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn)) {
      throw new TypeError(`Stage ${name}: break-glass role "${arn}" is not an IAM role ARN`);
    }
  }
  return {
    ...stage,
    runtime,
    release: release as StageConfig['release'],
    secrets: { ...stage.secrets, denyUnlistedReaders: secretsMode === 'readers-only' },
    overridden: Object.keys(overrides).sort(),
  };
};

/** Lambda keeps this many concurrent executions of an account unreserved. */
export const LAMBDA_MINIMUM_UNRESERVED_CONCURRENCY = 100;

const validateCapacity = (stage: string, capacity: CapacitySettings): void => {
  const positiveInteger = (value: number): boolean => Number.isInteger(value) && value >= 1;
  if (!positiveInteger(capacity.accountConcurrency)) {
    throw new TypeError(`Stage ${stage}: capacity.accountConcurrency must be a positive integer`);
  }
  if (!(capacity.alarmPercent > 0 && capacity.alarmPercent < 100)) {
    throw new TypeError(`Stage ${stage}: capacity.alarmPercent must be in (0, 100)`);
  }
  for (const capacityClass of capacityClasses) {
    const { reservedConcurrency, rateLimitPerSecond, burstLimit } = capacity.classes[capacityClass];
    if (![reservedConcurrency, rateLimitPerSecond, burstLimit].every(positiveInteger)) {
      throw new TypeError(`Stage ${stage}: capacity class ${capacityClass} needs positive integers`);
    }
    if (burstLimit < rateLimitPerSecond) {
      throw new TypeError(`Stage ${stage}: capacity class ${capacityClass} bursts below its rate`);
    }
  }
};

/**
 * The runtime settings as the environment variables shared/config/runtime-config.ts parses: one
 * variable per stage setting, derived from the settings table (shared/config/runtime-settings.ts).
 */
export const runtimeEnvironment = (runtime: RuntimeSettings): Record<string, string> =>
  environmentOf(runtime);
