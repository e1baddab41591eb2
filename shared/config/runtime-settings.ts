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
  apiKeyPepperSecretArn: setting(
    secretDefinitions.apiKeyPepper.environmentVariable,
    secretArn,
    'infrastructure',
  ),
  usersTableName: setting(tableDefinitions.users.environmentVariable, tableName, 'infrastructure'),
  sessionsTableName: setting(tableDefinitions.sessions.environmentVariable, tableName, 'infrastructure'),
  apiKeysTableName: setting(tableDefinitions.apiKeys.environmentVariable, tableName, 'infrastructure'),
  /** The realtime gateway (ADR 0014): WebSocket connect and subscribe limits, datasource tokens. */
  realtime: {
    /** Same rules and warnings as API_TRUST_PROXY_HOPS, applied to the `$connect` request. */
    trustProxyHops: setting('REALTIME_TRUST_PROXY_HOPS', integerText(0, 10).default(0)),
    /** Production accepts fail-open only with SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED, as the API. */
    limiterFailureMode: setting(
      'REALTIME_LIMITER_FAILURE_MODE',
      z.enum(['fail-closed', 'fail-open']).default('fail-closed'),
    ),
    /** How long a datasource token may wait before it is used to connect. */
    tokenTtlSeconds: setting('REALTIME_TOKEN_TTL_SECONDS', integerText(5, 60).default(30)),
    connectsPerPrincipal: setting('REALTIME_CONNECTS_PER_PRINCIPAL', integerText(1, 100_000).default(10)),
    connectsPerIp: setting('REALTIME_CONNECTS_PER_IP', integerText(1, 100_000).default(30)),
    connectWindowSeconds: setting('REALTIME_CONNECT_WINDOW_SECONDS', integerText(1, 3_600).default(60)),
    publicSubscribesPerIp: setting('REALTIME_PUBLIC_SUBSCRIBES_PER_IP', integerText(1, 100_000).default(30)),
    subscribeWindowSeconds: setting('REALTIME_SUBSCRIBE_WINDOW_SECONDS', integerText(1, 3_600).default(60)),
    maxSubscriptionsPerConnection: setting(
      'REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION',
      integerText(1, 50).default(10),
    ),
    /** Largest client message; API Gateway's own limit (128 KiB) is far above what an action needs. */
    messageMaxBytes: setting('REALTIME_MESSAGE_MAX_BYTES', integerText(64, 32_768).default(4_096)),
    /** The WebSocket URL clients connect to: the stage URL (wss://) the CDK stack sets, or the emulator's. */
    url: setting('REALTIME_URL', z.url({ protocol: /^wss?$/ }).optional(), 'infrastructure'),
    /** The management API (`@connections`) of the stage, or of the local emulator. */
    callbackUrl: setting(
      'REALTIME_CALLBACK_URL',
      z.url({ protocol: /^https?$/ }).optional(),
      'infrastructure',
    ),
    tableName: setting(tableDefinitions.realtime.environmentVariable, tableName, 'infrastructure'),
  },
  awsRegion: setting('AWS_REGION', z.string().min(1).default('us-east-1'), 'platform'),
  dynamoDbEndpoint: setting('DYNAMODB_ENDPOINT', z.url({ protocol: /^https?$/ }).optional(), 'local'),
  localSecretsFile: setting('LOCAL_SECRETS_FILE', z.string().min(1).optional(), 'local'),
} as const;
