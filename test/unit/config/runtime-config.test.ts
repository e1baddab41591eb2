/**
 * parseRuntimeConfig: safe defaults, the production refusals, and errors that name the variable but
 * never repeat a value that might be a secret pasted into the wrong place.
 */
import { describe, expect, it } from 'vitest';
import { parseRuntimeConfig } from '../../../shared/config/runtime-config.js';
import { ConfigurationError } from '../../../shared/errors/configuration-error.js';
import { triageLogGroupNames } from '../../../shared/runtime/triage-for.js';

const configurationErrorOf = (env: Record<string, string>): ConfigurationError => {
  try {
    parseRuntimeConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error(`expected a ConfigurationError for ${JSON.stringify(env)}`);
};

const expectRefusal = (env: Record<string, string>, variable: string): ConfigurationError => {
  const error = configurationErrorOf(env);
  expect(error.variable).toBe(variable);
  expect(error.code).toBe('ERR_CONFIGURATION');
  expect(error.message.startsWith(`${variable}: `)).toBe(true);
  return error;
};

const production = { ENVIRONMENT: 'production', CORS_ALLOW_ORIGINS: 'https://app.example.com' };

describe('parseRuntimeConfig defaults', () => {
  it('parses an empty environment into safe development defaults', () => {
    expect(parseRuntimeConfig({})).toMatchObject({
      environment: 'development',
      auth: { strategy: 'jwt_or_api_key', header: 'x-api-key' },
      bodyMaxBytes: 64 * 1024,
      cors: { enabled: true, allowOrigins: [], maxAgeSeconds: 600 },
      trustedHosts: [],
      trustProxyHops: 0,
      logLevel: 'info',
      passwordBcryptCost: 11,
      secretsCacheTtlSeconds: 300,
      tokens: {
        issuer: 'bulwark',
        audience: 'bulwark-api',
        accessTokenTtlSeconds: 600,
        refreshSessionTtlSeconds: 14 * 86_400,
        refreshReuseGraceSeconds: 10,
        signingSecretArn: undefined,
        verificationSecretArn: undefined,
      },
      apiKeyPepperSecretArn: undefined,
      usersTableName: undefined,
      sessionsTableName: undefined,
      apiKeysTableName: undefined,
      awsRegion: 'us-east-1',
      dynamoDbEndpoint: undefined,
      localSecretsFile: undefined,
    });
  });

  it('treats empty and blank variables as unset', () => {
    const config = parseRuntimeConfig({ ENVIRONMENT: '', LOG_LEVEL: '   ', API_BODY_MAX_BYTES: ' ' });
    expect(config).toMatchObject({ environment: 'development', logLevel: 'info', bodyMaxBytes: 65_536 });
  });

  it('ignores variables it does not know', () => {
    expect(parseRuntimeConfig({ PATH: '/usr/bin', AWS_SECRET_ACCESS_KEY: 'x' }).environment).toBe(
      'development',
    );
  });

  it('trims and lowercases the header name, splits lists and parses numbers', () => {
    const config = parseRuntimeConfig({
      API_AUTH_HEADER: '  X-Bulwark-Key ',
      CORS_ALLOW_ORIGINS: 'https://a.example.com , https://b.example.com:8443,',
      TRUSTED_HOSTS: 'API.Example.com, *.example.net',
      API_BODY_MAX_BYTES: '2048',
      API_TRUST_PROXY_HOPS: '2',
      CORS_ENABLED: 'false',
      LOG_LEVEL: 'WARN',
    });
    expect(config).toMatchObject({
      auth: { header: 'x-bulwark-key' },
      cors: { enabled: false, allowOrigins: ['https://a.example.com', 'https://b.example.com:8443'] },
      trustedHosts: ['api.example.com', '*.example.net'],
      bodyMaxBytes: 2048,
      trustProxyHops: 2,
      logLevel: 'warn',
    });
  });

  it('accepts a complete production environment', () => {
    const config = parseRuntimeConfig({
      ...production,
      API_KEY_PEPPER_SECRET_ARN: 'arn:aws:secretsmanager:x:pepper',
      JWT_SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:x:signing',
      JWT_VERIFICATION_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:x:verification',
    });
    expect(config.environment).toBe('production');
    expect(config.tokens.verificationSecretArn).toBe('arn:aws:secretsmanager:x:verification');
    expect(config.cors.allowOrigins).toEqual(['https://app.example.com']);
  });

  it.each(['jwt', 'api_key', 'jwt_or_api_key', 'disabled'])('accepts API_AUTH_STRATEGY=%s', (strategy) => {
    expect(parseRuntimeConfig({ API_AUTH_STRATEGY: strategy }).auth.strategy).toBe(strategy);
  });

  it('accepts production with CORS switched off and no origins', () => {
    expect(parseRuntimeConfig({ ENVIRONMENT: 'production', CORS_ENABLED: 'false' }).cors.enabled).toBe(false);
  });

  it('returns a deeply frozen object', () => {
    const config = parseRuntimeConfig({
      CORS_ALLOW_ORIGINS: 'https://a.example.com',
      TRUSTED_HOSTS: 'a.example.com',
    });
    const assertFrozen = (value: unknown, path: string): void => {
      if (value === null || typeof value !== 'object') return;
      expect(Object.isFrozen(value), `${path} is frozen`).toBe(true);
      for (const [key, child] of Object.entries(value)) assertFrozen(child, `${path}.${key}`);
    };
    assertFrozen(config, 'config');
    expect(() => {
      (config.cors.allowOrigins as string[]).push('https://evil.example');
    }).toThrow(TypeError);
    expect(() => {
      (config.auth as { strategy: string }).strategy = 'disabled';
    }).toThrow(TypeError);
    expect(config.cors.allowOrigins).toEqual(['https://a.example.com']);
    expect(config.auth.strategy).toBe('jwt_or_api_key');
    expect(() => {
      (config.tokens as { audience: string }).audience = 'another-api';
    }).toThrow(TypeError);
    expect(config.tokens.audience).toBe('bulwark-api');
  });
});

describe('parseRuntimeConfig production refusals', () => {
  it.each<[string, Record<string, string>, string]>([
    ['API_AUTH_STRATEGY=disabled', { API_AUTH_STRATEGY: 'disabled' }, 'API_AUTH_STRATEGY'],
    ['an empty CORS list with CORS on', { CORS_ALLOW_ORIGINS: '' }, 'CORS_ALLOW_ORIGINS'],
    ['the CORS wildcard', { CORS_ALLOW_ORIGINS: '*' }, 'CORS_ALLOW_ORIGINS'],
    ['LOG_LEVEL=debug', { LOG_LEVEL: 'debug' }, 'LOG_LEVEL'],
    ['LOG_LEVEL=DEBUG in capitals', { LOG_LEVEL: 'DEBUG' }, 'LOG_LEVEL'],
    ['a DynamoDB endpoint override', { DYNAMODB_ENDPOINT: 'http://localhost:8000' }, 'DYNAMODB_ENDPOINT'],
    ['a local secrets file', { LOCAL_SECRETS_FILE: '.local/secrets.json' }, 'LOCAL_SECRETS_FILE'],
    [
      'a Bedrock endpoint override',
      { TRIAGE_BEDROCK_ENDPOINT: 'http://127.0.0.1:4010' },
      'TRIAGE_BEDROCK_ENDPOINT',
    ],
    ['a local triage log folder', { TRIAGE_LOCAL_LOG_DIR: '.local/logs' }, 'TRIAGE_LOCAL_LOG_DIR'],
    [
      'a realtime limiter failing open without the acknowledgement',
      { REALTIME_LIMITER_FAILURE_MODE: 'fail-open' },
      'REALTIME_LIMITER_FAILURE_MODE',
    ],
    ['a realtime URL without TLS', { REALTIME_URL: 'ws://gateway.example.com/live' }, 'REALTIME_URL'],
    [
      'a management API URL without TLS',
      { REALTIME_CALLBACK_URL: 'http://gateway.example.com/live' },
      'REALTIME_CALLBACK_URL',
    ],
  ])('refuses %s in production, naming the variable', (_, overrides, variable) => {
    const env = { ...production, ...overrides };
    const error = expectRefusal(env, variable);
    expect(error.message).toContain(variable);
    // The same setting is accepted outside production.
    const { ENVIRONMENT: _environment, ...development } = env;
    if (variable !== 'CORS_ALLOW_ORIGINS' || overrides.CORS_ALLOW_ORIGINS === '') {
      expect(() => parseRuntimeConfig(development)).not.toThrow();
    }
  });

  it('refuses "*" combined with other origins in every environment', () => {
    expectRefusal({ CORS_ALLOW_ORIGINS: '*, https://app.example.com' }, 'CORS_ALLOW_ORIGINS');
  });

  it.each([
    ['a wildcard subdomain', 'https://*.example.com'],
    ['a wildcard glued to the domain', 'https://*example.com'],
    ['a wildcard top-level domain', 'https://app.*'],
  ])(
    'refuses an origin with %s in every environment: entries are exact origins, not patterns',
    (_, entry) => {
      // @middy/http-cors turns any entry containing "*" into a pattern ("*" matches [^.]*), so
      // https://*example.com would let https://evilexample.com read responses.
      expectRefusal({ CORS_ALLOW_ORIGINS: entry }, 'CORS_ALLOW_ORIGINS');
      expectRefusal({ ...production, CORS_ALLOW_ORIGINS: entry }, 'CORS_ALLOW_ORIGINS');
    },
  );

  it('accepts the CORS wildcard alone outside production', () => {
    expect(parseRuntimeConfig({ CORS_ALLOW_ORIGINS: '*' }).cors.allowOrigins).toEqual(['*']);
  });
});

describe('parseRuntimeConfig invalid values', () => {
  it.each([
    ['API_BODY_MAX_BYTES', 'abc'],
    ['API_BODY_MAX_BYTES', '-1'],
    ['API_BODY_MAX_BYTES', '1.5'],
    ['API_BODY_MAX_BYTES', '0'],
    ['API_BODY_MAX_BYTES', '1e6'],
    ['API_BODY_MAX_BYTES', String(10 * 1024 * 1024 + 1)],
    ['API_TRUST_PROXY_HOPS', '11'],
    ['CORS_MAX_AGE_SECONDS', '86401'],
    ['CORS_ENABLED', 'yes'],
    ['CORS_ALLOW_ORIGINS', 'https://app.example.com/path'],
    ['CORS_ALLOW_ORIGINS', 'https://app.example.com/'],
    ['CORS_ALLOW_ORIGINS', 'app.example.com'],
    ['CORS_ALLOW_ORIGINS', 'ftp://app.example.com'],
    ['CORS_ALLOW_ORIGINS', 'null'],
    ['TRUSTED_HOSTS', 'not a host!'],
    ['TRUSTED_HOSTS', 'https://api.example.com'],
    ['TRUSTED_HOSTS', 'api.example.com/path'],
    ['TRUSTED_HOSTS', '*'],
    ['TRUSTED_HOSTS', 'api.example.com:0'],
    ['TRUSTED_HOSTS', 'api.example.com:70000'],
    ['TRUSTED_HOSTS', 'a..example.com'],
    ['TRUSTED_HOSTS', '*.10.0.0.1'],
    ['API_AUTH_HEADER', 'authorization'],
    ['API_AUTH_HEADER', 'Cookie'],
    ['API_AUTH_HEADER', 'x-forwarded-for'],
    ['API_AUTH_HEADER', 'x-amzn-apigateway-api-id'],
    ['API_AUTH_HEADER', 'x-request-id'],
    ['ENVIRONMENT', 'staging'],
    ['ENVIRONMENT', 'Production'],
    ['API_AUTH_STRATEGY', 'none'],
    ['API_AUTH_STRATEGY', 'JWT'],
    ['REFRESH_REUSE_GRACE_SECONDS', '61'],
    ['ACCESS_TOKEN_TTL_SECONDS', '59'],
    ['API_AUTH_HEADER', 'x api key'],
    ['LOG_LEVEL', 'verbose'],
    ['PASSWORD_BCRYPT_COST', '4'],
    ['SECRETS_CACHE_TTL_SECONDS', '3601'],
    ['DYNAMODB_ENDPOINT', 'localhost:8000'],
    ['LOG_REDACT_PATTERNS', 'acme_[0-9a-f]{32}'],
    ['LOG_REDACT_PATTERNS', '["unclosed("]'],
    ['LOG_REDACT_PATTERNS', '[""]'],
    ['LOG_REDACT_PATTERNS', JSON.stringify(Array(21).fill('x'))],
    ['LOG_IP_ADDRESSES', 'hash'],
    ['TRIAGE_MODEL_ID', 'model with spaces'],
    ['TRIAGE_MODEL_TIMEOUT_MS', '100'],
    ['TRIAGE_BEDROCK_ENDPOINT', 'localhost:4010'],
    ['TRIAGE_LOG_GROUPS', 'group with spaces'],
    ['TRIAGE_LOG_GROUP_PREFIX', '/bulwark/a b/'],
  ])('refuses %s=%j, naming the variable', (variable, value) => {
    expectRefusal({ [variable]: value }, variable);
  });

  const secretLike = 'sk_live_9fQ2xL7pR4tZ8wK1mN6vB3cH';

  it.each([
    'API_BODY_MAX_BYTES',
    'API_AUTH_HEADER',
    'CORS_ALLOW_ORIGINS',
    'TRUSTED_HOSTS',
    'ENVIRONMENT',
    'API_AUTH_STRATEGY',
    'LOG_LEVEL',
    'CORS_ENABLED',
    'DYNAMODB_ENDPOINT',
  ])('never repeats a secret-like value pasted into %s', (variable) => {
    const error = expectRefusal({ [variable]: secretLike }, variable);
    const shown = `${error.message}\n${String(error.stack)}\n${JSON.stringify(error)}`.toLowerCase();
    expect(shown).not.toContain(secretLike.toLowerCase());
    expect(shown).not.toContain('9fq2xl7pr4tz8wk1');
  });

  it('reports the first offending variable when several are wrong', () => {
    const error = configurationErrorOf({ API_BODY_MAX_BYTES: 'abc', LOG_LEVEL: 'verbose' });
    expect(['API_BODY_MAX_BYTES', 'LOG_LEVEL']).toContain(error.variable);
  });
});

describe('redaction and triage settings', () => {
  it('reads LOG_REDACT_PATTERNS as JSON text, LOG_IP_ADDRESSES and the triage defaults', () => {
    const config = parseRuntimeConfig({
      LOG_REDACT_PATTERNS: '["acme_[0-9a-f]{32}", "ORDER-\\\\d{6}"]',
      LOG_IP_ADDRESSES: 'remove',
      TRIAGE_LOG_GROUPS: '/aws/lambda/a, /aws/lambda/b',
    });
    expect(JSON.parse(config.logRedactPatterns)).toEqual(['acme_[0-9a-f]{32}', 'ORDER-\\d{6}']);
    expect(config.logIpAddresses).toBe('remove');
    expect(config.triage).toEqual({
      modelId: '',
      modelTimeoutMs: 4000,
      cacheMaxAgeSeconds: 21600,
      bedrockEndpoint: undefined,
      logGroups: ['/aws/lambda/a', '/aws/lambda/b'],
      logGroupPrefix: '',
      localLogDirectory: undefined,
    });
    expect(triageLogGroupNames(config.triage)).toEqual(['/aws/lambda/a', '/aws/lambda/b']);
    // The stack names the groups by a prefix and the function ids after it (Lambda's 4 KB environment).
    const prefixed = parseRuntimeConfig({
      TRIAGE_LOG_GROUP_PREFIX: '/bulwark/Bulwark-prod-Api/',
      TRIAGE_LOG_GROUPS: 'login,summarize-errors',
    });
    expect(triageLogGroupNames(prefixed.triage)).toEqual([
      '/bulwark/Bulwark-prod-Api/login',
      '/bulwark/Bulwark-prod-Api/summarize-errors',
    ]);
    expect(triageLogGroupNames(parseRuntimeConfig({}).triage)).toEqual([]);
    expect(parseRuntimeConfig({}).logRedactPatterns).toBe('[]');
    expect(parseRuntimeConfig({}).logIpAddresses).toBe('truncate');
  });
});

describe('ENVIRONMENT on Lambda', () => {
  it('is required when the process runs on Lambda, so a missing value cannot switch production checks off', () => {
    expect(() => parseRuntimeConfig({ AWS_LAMBDA_FUNCTION_NAME: 'bulwark-health' })).toThrow(
      /^ENVIRONMENT: is required on Lambda/,
    );
    expect(
      parseRuntimeConfig({ AWS_LAMBDA_FUNCTION_NAME: 'bulwark-health', ENVIRONMENT: 'test' }).environment,
    ).toBe('test');
  });
});

describe('the realtime gateway settings', () => {
  it('default to a gateway that fails closed, trusts no proxy and keeps tokens for at most 30 s', () => {
    const { realtime } = parseRuntimeConfig({});
    expect(realtime).toMatchObject({
      limiterFailureMode: 'fail-closed',
      trustProxyHops: 0,
      tokenTtlSeconds: 30,
      maxSubscriptionsPerConnection: 10,
    });
  });

  it('fail open in production only with the API limiter’s own acknowledgement', () => {
    const config = parseRuntimeConfig({
      ...production,
      REALTIME_LIMITER_FAILURE_MODE: 'fail-open',
      SECURITY_LIMITER_FAIL_OPEN_ACKNOWLEDGED: 'true',
    });
    expect(config.realtime.limiterFailureMode).toBe('fail-open');
  });

  it.each<[string, string]>([
    ['REALTIME_TRUST_PROXY_HOPS', '11'],
    ['REALTIME_TOKEN_TTL_SECONDS', '61'],
    ['REALTIME_TOKEN_TTL_SECONDS', '4'],
    ['REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION', '0'],
    ['REALTIME_MESSAGE_MAX_BYTES', '65536'],
    ['REALTIME_LIMITER_FAILURE_MODE', 'open'],
    ['REALTIME_URL', 'https://gateway.example.com'],
    ['REALTIME_CALLBACK_URL', 'wss://gateway.example.com'],
  ])('refuses %s=%s in every environment', (variable, value) => {
    expectRefusal({ [variable]: value }, variable);
  });

  it('accepts the stage URLs the CDK stack sets in production', () => {
    const config = parseRuntimeConfig({
      ...production,
      REALTIME_URL: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/live',
      REALTIME_CALLBACK_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/live',
    });
    expect(config.realtime.url).toBe('wss://abc123.execute-api.eu-west-1.amazonaws.com/live');
  });
});
