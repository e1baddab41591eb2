import { parseTrustedHostPattern } from '../http/trusted-host.js';
import { logLevels } from '../logging/log-level.js';
import { ipAddressPolicies } from '../logging/redact-sensitive.js';
import { secretDefinitions } from '../resources/secret-definitions.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { isReservedHeaderName } from './reserved-header-names.js';
import { setting } from './runtime-setting.js';
import {
  booleanText,
  checked,
  holds,
  integerText,
  lengthBetween,
  listOf,
  lowercased,
  oneOf,
  optional,
  pattern,
  withDefault,
} from './setting-parser.js';

export const environments = ['development', 'test', 'production'] as const;
export const authStrategies = ['jwt', 'api_key', 'jwt_or_api_key', 'disabled'] as const;

const headerName = /^[a-z0-9][a-z0-9-]{0,63}$/;

const isOrigin = (value: string): boolean => {
  if (value === '*') return true;
  // @middy/http-cors would turn any `*` inside an entry into a pattern (`https://*example.com` matches
  // `https://evilexample.com`); Bulwark's allowlist is exact, so only the bare wildcard exists.
  if (value.includes('*')) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
};

/** Whether `value` is a URL whose scheme is `scheme` or its secure form (`http`: http or https). */
const isUrlOf =
  (scheme: 'http' | 'ws') =>
  (value: string): boolean => {
    try {
      return new RegExp(`^${scheme}s?:$`).test(new URL(value).protocol);
    } catch {
      return false;
    }
  };
const isHttpUrl = isUrlOf('http');

/** LOG_REDACT_PATTERNS: a JSON array of at most 20 regular expressions, each compiling, each short. */
const isPatternList = (value: string): boolean => {
  try {
    const parsed: unknown = JSON.parse(value);
    return (
      Array.isArray(parsed) &&
      parsed.length <= 20 &&
      parsed.every((source) => typeof source === 'string' && source.length > 0 && source.length <= 200) &&
      parsed.every((source: string) => new RegExp(source, 'g') instanceof RegExp)
    );
  } catch {
    return false;
  }
};

/** A Bedrock model id, inference profile id or ARN (letters, digits and `.:/_-`). */
const modelId = /^[A-Za-z0-9][A-Za-z0-9.:/_-]{0,2047}$/;
/** A CloudWatch Logs log group name. */
const isLogGroupName = (name: string): boolean => /^[A-Za-z0-9_\-/.#]{1,512}$/.test(name);

const tableName = optional(lengthBetween(3, 255));
const secretArn = optional(lengthBetween(1, 2048));
const httpUrl = optional(checked(holds(isHttpUrl, 'must be an http(s) URL')));

/**
 * Every runtime setting Bulwark reads, declared once: the variable (names follow the reference runbooks
 * where they exist), how its text is parsed and bounded, its default, where it sits in the typed config
 * and who sets it. The parser, the typed config, the CDK stage values and their environment variables all
 * come from this tree; docs/configuration.md is generated from it by `npm run docs:fix` (the meanings are
 * in scripts/configuration-doc.ts).
 */
export const runtimeSettings = {
  environment: setting('ENVIRONMENT', withDefault(oneOf(environments), 'development')),
  auth: {
    strategy: setting('API_AUTH_STRATEGY', withDefault(oneOf(authStrategies), 'jwt_or_api_key')),
    header: setting(
      'API_AUTH_HEADER',
      withDefault(
        lowercased(
          checked(
            pattern(headerName, 'must be a lowercase HTTP header name'),
            holds(
              (name) => !isReservedHeaderName(name),
              'must not be a header that browsers, proxies or API Gateway already use (such as authorization or cookie)',
            ),
          ),
        ),
        'x-api-key',
      ),
    ),
  },
  bodyMaxBytes: setting('API_BODY_MAX_BYTES', withDefault(integerText(1, 10 * 1024 * 1024), 64 * 1024)),
  cors: {
    enabled: setting('CORS_ENABLED', withDefault(booleanText, true)),
    allowOrigins: setting(
      'CORS_ALLOW_ORIGINS',
      withDefault(
        listOf(
          isOrigin,
          'each entry must be an exact origin such as https://app.example.com (scheme, host and optional port, no path)',
        ),
        [],
      ),
    ),
    maxAgeSeconds: setting('CORS_MAX_AGE_SECONDS', withDefault(integerText(0, 86_400), 600)),
  },
  trustedHosts: setting(
    'TRUSTED_HOSTS',
    withDefault(
      listOf(
        (entry) => parseTrustedHostPattern(entry) !== undefined,
        'each entry must be a host name or address, optionally *.suffix (a DNS name, never ending in a numeric label), with an optional port 1-65535',
        true,
      ),
      [],
    ),
  ),
  trustProxyHops: setting('API_TRUST_PROXY_HOPS', withDefault(integerText(0, 10), 0)),
  logLevel: setting('LOG_LEVEL', withDefault(lowercased(oneOf(logLevels)), 'info')),
  /** Kept as the JSON text (its own format, not a comma list); compiled once by createRuntime. */
  logRedactPatterns: setting(
    'LOG_REDACT_PATTERNS',
    withDefault(
      checked(
        holds(
          isPatternList,
          'must be a JSON array of at most 20 regular expressions (each 1-200 characters) that compile',
        ),
      ),
      '[]',
    ),
  ),
  logIpAddresses: setting('LOG_IP_ADDRESSES', withDefault(oneOf(ipAddressPolicies), 'truncate')),
  rateLimit: {
    defaultRequests: setting('API_RATE_LIMIT_REQUESTS', withDefault(integerText(1, 1_000_000), 100)),
    defaultWindowSeconds: setting('API_RATE_LIMIT_WINDOW_SECONDS', withDefault(integerText(1, 86_400), 60)),
    failureMode: setting(
      'SECURITY_LIMITER_FAILURE_MODE',
      withDefault(oneOf(['fail-closed', 'fail-open']), 'fail-closed'),
    ),
    /** Production accepts fail-open (globally or on a route) only with this acknowledgement. */
    failOpenAcknowledged: setting('SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED', withDefault(booleanText, false)),
    /** Per attempt of every backend call on the request path (two attempts, then the call is aborted). */
    timeoutMs: setting('SECURITY_LIMITER_TIMEOUT_MS', withDefault(integerText(50, 5_000), 300)),
    tableName: setting(tableDefinitions.rateLimits.environmentVariable, tableName, 'infrastructure'),
  },
  passwordBcryptCost: setting('PASSWORD_BCRYPT_COST', withDefault(integerText(10, 15), 11)),
  secretsCacheTtlSeconds: setting('SECRETS_CACHE_TTL_SECONDS', withDefault(integerText(0, 3_600), 300)),
  tokens: {
    issuer: setting('JWT_ISSUER', withDefault(lengthBetween(1, 200), 'bulwark')),
    audience: setting('JWT_AUDIENCE', withDefault(lengthBetween(1, 200), 'bulwark-api')),
    accessTokenTtlSeconds: setting('ACCESS_TOKEN_TTL_SECONDS', withDefault(integerText(60, 3_600), 600)),
    refreshSessionTtlSeconds: setting(
      'REFRESH_SESSION_TTL_SECONDS',
      withDefault(integerText(3_600, 90 * 86_400), 14 * 86_400),
    ),
    refreshReuseGraceSeconds: setting('REFRESH_REUSE_GRACE_SECONDS', withDefault(integerText(0, 60), 10)),
    signingSecretArn: setting(
      secretDefinitions.jwtSigningKeys.environmentVariable,
      secretArn,
      'infrastructure',
    ),
    verificationSecretArn: setting(
      secretDefinitions.jwtVerificationKeys.environmentVariable,
      secretArn,
      'infrastructure',
    ),
  },
  /** Default and longest overlap of an API key rotation: the replaced secret works this long (0: none). */
  apiKeyRotationOverlapSeconds: setting(
    'API_KEY_ROTATION_OVERLAP_SECONDS',
    withDefault(integerText(0, 7 * 86_400), 86_400),
  ),
  operations: {
    /** Reported by `GET /health/full`; the CDK stack sets the package version. */
    buildVersion: setting(
      'BULWARK_BUILD_VERSION',
      withDefault(
        checked(
          pattern(
            /^[A-Za-z0-9._+-]{1,64}$/,
            'must be 1-64 characters of letters, digits, ".", "_", "+", "-"',
          ),
        ),
        'development',
      ),
      'infrastructure',
    ),
    /** The EventBridge bus the guard-rail forwarder puts events on (set by the CDK stack on it alone). */
    guardrailEventBusName: setting(
      'GUARDRAIL_EVENT_BUS_NAME',
      optional(checked(pattern(/^[A-Za-z0-9._/-]{1,256}$/, 'must be an EventBridge bus name'))),
      'infrastructure',
    ),
    /** The API the scheduled health probe calls (its stage URL, set by the CDK stack on the probe only). */
    healthProbeUrl: setting('HEALTH_PROBE_URL', httpUrl, 'infrastructure'),
    /** The secret holding the probe's health-role API key `{ "api_key": "key_id:secret" }` (probe only). */
    healthProbeSecretArn: setting('HEALTH_PROBE_SECRET_ARN', secretArn, 'infrastructure'),
  },
  apiKeyPepperSecretArn: setting(
    secretDefinitions.apiKeyPepper.environmentVariable,
    secretArn,
    'infrastructure',
  ),
  usersTableName: setting(tableDefinitions.users.environmentVariable, tableName, 'infrastructure'),
  sessionsTableName: setting(tableDefinitions.sessions.environmentVariable, tableName, 'infrastructure'),
  apiKeysTableName: setting(tableDefinitions.apiKeys.environmentVariable, tableName, 'infrastructure'),
  triage: {
    /** Empty: no model; POST /debug/summarize-errors answers with the redacted digest only. */
    modelId: setting(
      'TRIAGE_MODEL_ID',
      withDefault(checked(pattern(modelId, 'must be a Bedrock model id, inference profile id or ARN')), ''),
    ),
    /** Cut-off of one Converse call; well inside the function's own timeout (checked per stage). */
    modelTimeoutMs: setting('TRIAGE_MODEL_TIMEOUT_MS', withDefault(integerText(500, 20_000), 4_000)),
    /** How old a last good answer may be and still be served while the model is unavailable. */
    cacheMaxAgeSeconds: setting(
      'TRIAGE_CACHE_MAX_AGE_SECONDS',
      withDefault(integerText(0, 7 * 86_400), 6 * 3_600),
    ),
    /** Converse endpoint override for a local stand-in; refused in production. */
    bedrockEndpoint: setting('TRIAGE_BEDROCK_ENDPOINT', httpUrl, 'local'),
    /**
     * The stage's function log groups, which Logs Insights searches (set by the CDK stack): each entry
     * after TRIAGE_LOG_GROUP_PREFIX, so the list holds function ids, not whole names.
     */
    logGroups: setting(
      'TRIAGE_LOG_GROUPS',
      optional(listOf(isLogGroupName, 'each entry must be a CloudWatch Logs log group name')),
      'infrastructure',
    ),
    /** What every TRIAGE_LOG_GROUPS entry is prefixed with (`/bulwark/<stack>/`; set by the CDK stack). */
    logGroupPrefix: setting(
      'TRIAGE_LOG_GROUP_PREFIX',
      withDefault(
        checked(holds(isLogGroupName, 'must be the start of a CloudWatch Logs log group name')),
        '',
      ),
      'infrastructure',
    ),
    /** `npm start`'s structured logs (`*.jsonl`); the local source reads this folder instead. */
    localLogDirectory: setting('TRIAGE_LOCAL_LOG_DIR', optional(lengthBetween(1, 4096)), 'local'),
  },
  breakerTableName: setting(tableDefinitions.breakers.environmentVariable, tableName, 'infrastructure'),
  /** The realtime gateway (ADR 0014): WebSocket connect and subscribe limits, datasource tokens. */
  realtime: {
    /** Same rules and warnings as API_TRUST_PROXY_HOPS, applied to the `$connect` request. */
    trustProxyHops: setting('REALTIME_TRUST_PROXY_HOPS', withDefault(integerText(0, 10), 0)),
    /** Production accepts fail-open only with SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED, as the API. */
    limiterFailureMode: setting(
      'REALTIME_LIMITER_FAILURE_MODE',
      withDefault(oneOf(['fail-closed', 'fail-open']), 'fail-closed'),
    ),
    /** How long a datasource token may wait before it is used to connect. */
    tokenTtlSeconds: setting('REALTIME_TOKEN_TTL_SECONDS', withDefault(integerText(5, 60), 30)),
    connectsPerPrincipal: setting(
      'REALTIME_CONNECTS_PER_PRINCIPAL',
      withDefault(integerText(1, 100_000), 10),
    ),
    connectsPerIp: setting('REALTIME_CONNECTS_PER_IP', withDefault(integerText(1, 100_000), 30)),
    connectWindowSeconds: setting('REALTIME_CONNECT_WINDOW_SECONDS', withDefault(integerText(1, 3_600), 60)),
    publicSubscribesPerIp: setting(
      'REALTIME_PUBLIC_SUBSCRIBES_PER_IP',
      withDefault(integerText(1, 100_000), 30),
    ),
    subscribeWindowSeconds: setting(
      'REALTIME_SUBSCRIBE_WINDOW_SECONDS',
      withDefault(integerText(1, 3_600), 60),
    ),
    maxSubscriptionsPerConnection: setting(
      'REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION',
      withDefault(integerText(1, 50), 10),
    ),
    /** Largest client message; API Gateway's own limit (128 KiB) is far above what an action needs. */
    messageMaxBytes: setting('REALTIME_MESSAGE_MAX_BYTES', withDefault(integerText(64, 32_768), 4_096)),
    /** The WebSocket URL clients connect to: the stage URL (wss://) the CDK stack sets, or the emulator's. */
    url: setting(
      'REALTIME_URL',
      optional(checked(holds(isUrlOf('ws'), 'must be a ws(s) URL'))),
      'infrastructure',
    ),
    /** The management API (`@connections`) of the stage, or of the local emulator. */
    callbackUrl: setting('REALTIME_CALLBACK_URL', httpUrl, 'infrastructure'),
    tableName: setting(tableDefinitions.realtime.environmentVariable, tableName, 'infrastructure'),
  },
  awsRegion: setting('AWS_REGION', withDefault(lengthBetween(1, 64), 'us-east-1'), 'platform'),
  dynamoDbEndpoint: setting('DYNAMODB_ENDPOINT', httpUrl, 'local'),
  localSecretsFile: setting('LOCAL_SECRETS_FILE', optional(lengthBetween(1, 4096)), 'local'),
} as const;
