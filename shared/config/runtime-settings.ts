import * as z from 'zod';
import { parseTrustedHostPattern } from '../http/trusted-host.js';
import { logLevels } from '../logging/log-level.js';
import { secretDefinitions } from '../resources/secret-definitions.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { isReservedHeaderName } from './reserved-header-names.js';
import { setting } from './runtime-setting.js';

export const environments = ['development', 'test', 'production'] as const;
export const authStrategies = ['jwt', 'api_key', 'jwt_or_api_key', 'disabled'] as const;

const headerName = /^[a-z0-9][a-z0-9-]{0,63}$/;

const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

const booleanText = z.enum(['true', 'false']).transform((value) => value === 'true');
const integerText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const origin = z.string().refine((value) => {
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
}, 'each entry must be an exact origin such as https://app.example.com (scheme, host and optional port, no path)');

const tableName = z.string().min(3).max(255).optional();
const secretArn = z.string().min(1).max(2048).optional();

/**
 * Every runtime setting Bulwark reads, declared once: the variable (names follow the reference runbooks
 * where they exist), how its text is parsed and bounded, its default, where it sits in the typed config
 * and who sets it. The parser, the typed config, the CDK stage values and their environment variables all
 * come from this tree; the README's table is checked against it.
 */
export const runtimeSettings = {
  environment: setting('ENVIRONMENT', z.enum(environments).default('development')),
  auth: {
    strategy: setting('API_AUTH_STRATEGY', z.enum(authStrategies).default('jwt_or_api_key')),
    header: setting(
      'API_AUTH_HEADER',
      z
        .string()
        .transform((value) => value.trim().toLowerCase())
        .pipe(
          z
            .string()
            .regex(headerName, 'must be a lowercase HTTP header name')
            .refine(
              (name) => !isReservedHeaderName(name),
              'must not be a header that browsers, proxies or API Gateway already use (such as authorization or cookie)',
            ),
        )
        .default('x-api-key'),
    ),
  },
  bodyMaxBytes: setting('API_BODY_MAX_BYTES', integerText(1, 10 * 1024 * 1024).default(64 * 1024)),
  cors: {
    enabled: setting('CORS_ENABLED', booleanText.default(true)),
    allowOrigins: setting(
      'CORS_ALLOW_ORIGINS',
      z.string().transform(list).pipe(z.array(origin).max(100)).default([]),
    ),
    maxAgeSeconds: setting('CORS_MAX_AGE_SECONDS', integerText(0, 86_400).default(600)),
  },
  trustedHosts: setting(
    'TRUSTED_HOSTS',
    z
      .string()
      .transform((value) => list(value.toLowerCase()))
      .pipe(
        z
          .array(
            z
              .string()
              .refine(
                (entry) => parseTrustedHostPattern(entry) !== undefined,
                'each entry must be a host name or address, optionally *.suffix, with an optional port 1-65535',
              ),
          )
          .max(100),
      )
      .default([]),
  ),
  trustProxyHops: setting('API_TRUST_PROXY_HOPS', integerText(0, 10).default(0)),
  logLevel: setting(
    'LOG_LEVEL',
    z
      .string()
      .transform((value) => value.trim().toLowerCase())
      .pipe(z.enum(logLevels))
      .default('info'),
  ),
  rateLimit: {
    defaultRequests: setting('API_RATE_LIMIT_REQUESTS', integerText(1, 1_000_000).default(100)),
    defaultWindowSeconds: setting('API_RATE_LIMIT_WINDOW_SECONDS', integerText(1, 86_400).default(60)),
    failureMode: setting(
      'SECURITY_LIMITER_FAILURE_MODE',
      z.enum(['fail-closed', 'fail-open']).default('fail-closed'),
    ),
    /** Production accepts fail-open (globally or on a route) only with this acknowledgement. */
    failOpenAcknowledged: setting('SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED', booleanText.default(false)),
    /** Per attempt of every backend call on the request path (two attempts, then the call is aborted). */
    timeoutMs: setting('SECURITY_LIMITER_TIMEOUT_MS', integerText(50, 5_000).default(300)),
    tableName: setting(tableDefinitions.rateLimits.environmentVariable, tableName, 'infrastructure'),
  },
  passwordBcryptCost: setting('PASSWORD_BCRYPT_COST', integerText(10, 15).default(11)),
  secretsCacheTtlSeconds: setting('SECRETS_CACHE_TTL_SECONDS', integerText(0, 3_600).default(300)),
  tokens: {
    issuer: setting('JWT_ISSUER', z.string().min(1).max(200).default('bulwark')),
    audience: setting('JWT_AUDIENCE', z.string().min(1).max(200).default('bulwark-api')),
    accessTokenTtlSeconds: setting('ACCESS_TOKEN_TTL_SECONDS', integerText(60, 3_600).default(600)),
    refreshSessionTtlSeconds: setting(
      'REFRESH_SESSION_TTL_SECONDS',
      integerText(3_600, 90 * 86_400).default(14 * 86_400),
    ),
    refreshReuseGraceSeconds: setting('REFRESH_REUSE_GRACE_SECONDS', integerText(0, 60).default(10)),
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
    integerText(0, 7 * 86_400).default(86_400),
  ),
  operations: {
    /** Reported by `GET /health/full`; the CDK stack sets the package version. */
    buildVersion: setting(
      'BULWARK_BUILD_VERSION',
      z
        .string()
        .regex(/^[A-Za-z0-9._+-]{1,64}$/, 'must be 1-64 characters of letters, digits, ".", "_", "+", "-"')
        .default('development'),
      'infrastructure',
    ),
    /** The EventBridge bus the guard-rail forwarder puts events on (set by the CDK stack on it alone). */
    guardrailEventBusName: setting(
      'GUARDRAIL_EVENT_BUS_NAME',
      z
        .string()
        .regex(/^[A-Za-z0-9._/-]{1,256}$/, 'must be an EventBridge bus name')
        .optional(),
      'infrastructure',
    ),
    /** The API the scheduled health probe calls (its stage URL, set by the CDK stack on the probe only). */
    healthProbeUrl: setting('HEALTH_PROBE_URL', z.url({ protocol: /^https?$/ }).optional(), 'infrastructure'),
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
  awsRegion: setting('AWS_REGION', z.string().min(1).default('us-east-1'), 'platform'),
  dynamoDbEndpoint: setting('DYNAMODB_ENDPOINT', z.url({ protocol: /^https?$/ }).optional(), 'local'),
  localSecretsFile: setting('LOCAL_SECRETS_FILE', z.string().min(1).optional(), 'local'),
} as const;
