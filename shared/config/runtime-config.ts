import * as z from 'zod';
import { parseTrustedHostPattern } from '../http/trusted-host.js';
import { ConfigurationError } from './configuration-error.js';
import { isReservedHeaderName } from './reserved-header-names.js';

const environments = ['development', 'test', 'production'] as const;
const authStrategies = ['jwt', 'api_key', 'jwt_or_api_key', 'disabled'] as const;
const logLevels = ['debug', 'info', 'warn', 'error'] as const;

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

/** Every runtime variable Bulwark reads. Names follow the reference runbooks where they exist. */
const environmentSchema = z.object({
  ENVIRONMENT: z.enum(environments).default('development'),
  API_AUTH_STRATEGY: z.enum(authStrategies).default('jwt_or_api_key'),
  API_AUTH_HEADER: z
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
  API_BODY_MAX_BYTES: integerText(1, 10 * 1024 * 1024).default(64 * 1024),
  CORS_ENABLED: booleanText.default(true),
  CORS_ALLOW_ORIGINS: z.string().transform(list).pipe(z.array(origin).max(100)).default([]),
  CORS_MAX_AGE_SECONDS: integerText(0, 86_400).default(600),
  TRUSTED_HOSTS: z
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
  API_TRUST_PROXY_HOPS: integerText(0, 10).default(0),
  LOG_LEVEL: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(logLevels))
    .default('info'),
  API_RATE_LIMIT_REQUESTS: integerText(1, 1_000_000).default(100),
  API_RATE_LIMIT_WINDOW_SECONDS: integerText(1, 86_400).default(60),
  SECURITY_LIMITER_FAILURE_MODE: z.enum(['fail-closed', 'fail-open']).default('fail-closed'),
  SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED: booleanText.default(false),
  SECURITY_LIMITER_TIMEOUT_MS: integerText(50, 5_000).default(300),
  PASSWORD_BCRYPT_COST: integerText(10, 15).default(11),
  SECRETS_CACHE_TTL_SECONDS: integerText(0, 3_600).default(300),
  JWT_ISSUER: z.string().min(1).max(200).default('bulwark'),
  JWT_AUDIENCE: z.string().min(1).max(200).default('bulwark-api'),
  ACCESS_TOKEN_TTL_SECONDS: integerText(60, 3_600).default(600),
  REFRESH_SESSION_TTL_SECONDS: integerText(3_600, 90 * 86_400).default(14 * 86_400),
  REFRESH_REUSE_GRACE_SECONDS: integerText(0, 60).default(10),
  USERS_TABLE_NAME: z.string().min(3).max(255).optional(),
  SESSIONS_TABLE_NAME: z.string().min(3).max(255).optional(),
  API_KEYS_TABLE_NAME: z.string().min(3).max(255).optional(),
  JWT_SIGNING_SECRET_ARN: z.string().min(1).max(2048).optional(),
  JWT_VERIFICATION_KEYS_SECRET_ARN: z.string().min(1).max(2048).optional(),
  API_KEY_PEPPER_SECRET_ARN: z.string().min(1).max(2048).optional(),
  RATE_LIMIT_TABLE_NAME: z.string().min(3).max(255).optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  DYNAMODB_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  LOCAL_SECRETS_FILE: z.string().min(1).optional(),
});

type ParsedEnvironment = z.output<typeof environmentSchema>;

export type Environment = (typeof environments)[number];
export type AuthStrategy = (typeof authStrategies)[number];
export type LogLevel = (typeof logLevels)[number];

export interface RuntimeConfig {
  readonly environment: Environment;
  readonly auth: { readonly strategy: AuthStrategy; readonly header: string };
  readonly bodyMaxBytes: number;
  readonly cors: {
    readonly enabled: boolean;
    readonly allowOrigins: readonly string[];
    readonly maxAgeSeconds: number;
  };
  readonly trustedHosts: readonly string[];
  readonly trustProxyHops: number;
  readonly logLevel: LogLevel;
  readonly rateLimit: {
    readonly defaultRequests: number;
    readonly defaultWindowSeconds: number;
    readonly failureMode: 'fail-closed' | 'fail-open';
    /** Production accepts fail-open (globally or on a route) only with this acknowledgement. */
    readonly failOpenAcknowledged: boolean;
    readonly timeoutMs: number;
    readonly tableName: string | undefined;
  };
  readonly passwordBcryptCost: number;
  readonly secretsCacheTtlSeconds: number;
  readonly tokens: {
    readonly issuer: string;
    readonly audience: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshSessionTtlSeconds: number;
    readonly refreshReuseGraceSeconds: number;
    readonly signingSecretArn: string | undefined;
    readonly verificationSecretArn: string | undefined;
  };
  readonly apiKeyPepperSecretArn: string | undefined;
  readonly usersTableName: string | undefined;
  readonly sessionsTableName: string | undefined;
  readonly apiKeysTableName: string | undefined;
  readonly awsRegion: string;
  readonly dynamoDbEndpoint: string | undefined;
  readonly localSecretsFile: string | undefined;
}

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
};

/** Rules that only make sense across variables, and the production refusals. */
const assertSafe = (env: ParsedEnvironment): void => {
  if (env.CORS_ALLOW_ORIGINS.includes('*') && env.CORS_ALLOW_ORIGINS.length > 1) {
    throw new ConfigurationError('CORS_ALLOW_ORIGINS', '"*" cannot be combined with other origins');
  }
  if (env.ENVIRONMENT !== 'production') return;

  if (env.API_AUTH_STRATEGY === 'disabled') {
    throw new ConfigurationError('API_AUTH_STRATEGY', '"disabled" is refused in production');
  }
  if (env.CORS_ENABLED && env.CORS_ALLOW_ORIGINS.length === 0) {
    throw new ConfigurationError(
      'CORS_ALLOW_ORIGINS',
      'is empty while CORS_ENABLED=true; list the allowed origins or set CORS_ENABLED=false',
    );
  }
  if (env.CORS_ENABLED && env.CORS_ALLOW_ORIGINS.includes('*')) {
    throw new ConfigurationError('CORS_ALLOW_ORIGINS', 'the wildcard "*" is refused in production');
  }
  if (env.LOG_LEVEL === 'debug') {
    throw new ConfigurationError(
      'LOG_LEVEL',
      '"debug" is refused in production (it can leak request metadata)',
    );
  }
  if (env.SECURITY_LIMITER_FAILURE_MODE === 'fail-open' && !env.SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED) {
    throw new ConfigurationError(
      'SECURITY_LIMITER_FAILURE_MODE',
      '"fail-open" in production needs SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED=true (a temporary, change-controlled degraded mode)',
    );
  }
  if (env.DYNAMODB_ENDPOINT !== undefined) {
    throw new ConfigurationError('DYNAMODB_ENDPOINT', 'is for local runs and is refused in production');
  }
  if (env.LOCAL_SECRETS_FILE !== undefined) {
    throw new ConfigurationError('LOCAL_SECRETS_FILE', 'is for local runs and is refused in production');
  }
};

/**
 * Parses the runtime environment once, at cold start. Throws a ConfigurationError naming the first
 * offending variable; never echoes the value, which may be a secret pasted into the wrong place.
 */
export const parseRuntimeConfig = (source: Readonly<Record<string, string | undefined>>): RuntimeConfig => {
  // On Lambda a missing ENVIRONMENT must not quietly mean `development` and switch off every refusal.
  if (source.AWS_LAMBDA_FUNCTION_NAME !== undefined && (source.ENVIRONMENT ?? '').trim() === '') {
    throw new ConfigurationError('ENVIRONMENT', 'is required on Lambda (development, test or production)');
  }
  const relevant = Object.fromEntries(
    Object.keys(environmentSchema.shape)
      .map((key) => [key, source[key]?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigurationError(variable, issue?.message ?? 'is invalid');
  }
  const env = parsed.data;
  assertSafe(env);
  return deepFreeze({
    environment: env.ENVIRONMENT,
    auth: { strategy: env.API_AUTH_STRATEGY, header: env.API_AUTH_HEADER },
    bodyMaxBytes: env.API_BODY_MAX_BYTES,
    cors: {
      enabled: env.CORS_ENABLED,
      allowOrigins: env.CORS_ALLOW_ORIGINS,
      maxAgeSeconds: env.CORS_MAX_AGE_SECONDS,
    },
    trustedHosts: env.TRUSTED_HOSTS,
    trustProxyHops: env.API_TRUST_PROXY_HOPS,
    logLevel: env.LOG_LEVEL,
    rateLimit: {
      defaultRequests: env.API_RATE_LIMIT_REQUESTS,
      defaultWindowSeconds: env.API_RATE_LIMIT_WINDOW_SECONDS,
      failureMode: env.SECURITY_LIMITER_FAILURE_MODE,
      failOpenAcknowledged: env.SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED,
      timeoutMs: env.SECURITY_LIMITER_TIMEOUT_MS,
      tableName: env.RATE_LIMIT_TABLE_NAME,
    },
    passwordBcryptCost: env.PASSWORD_BCRYPT_COST,
    secretsCacheTtlSeconds: env.SECRETS_CACHE_TTL_SECONDS,
    tokens: {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshSessionTtlSeconds: env.REFRESH_SESSION_TTL_SECONDS,
      refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
      signingSecretArn: env.JWT_SIGNING_SECRET_ARN,
      verificationSecretArn: env.JWT_VERIFICATION_KEYS_SECRET_ARN,
    },
    apiKeyPepperSecretArn: env.API_KEY_PEPPER_SECRET_ARN,
    usersTableName: env.USERS_TABLE_NAME,
    sessionsTableName: env.SESSIONS_TABLE_NAME,
    apiKeysTableName: env.API_KEYS_TABLE_NAME,
    awsRegion: env.AWS_REGION,
    dynamoDbEndpoint: env.DYNAMODB_ENDPOINT,
    localSecretsFile: env.LOCAL_SECRETS_FILE,
  });
};

/** Names of the variables the schema reads, for documentation tests. */
export const runtimeVariableNames: readonly string[] = Object.freeze(Object.keys(environmentSchema.shape));
