/**
 * A Runtime for unit tests: config parsed from an explicit record (never process.env), a Powertools
 * Logger whose JSON lines are captured instead of printed, a clock the test moves by hand, an in-memory
 * secret store and a DynamoDB factory that refuses to be used. Plus builders for the API Gateway REST
 * proxy event and the Lambda context a real invocation receives.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { accessTokenSettings } from '../../shared/auth/tokens/access-token-settings.js';
import {
  createAccessTokenIssuer,
  type IssuedAccessToken,
} from '../../shared/auth/tokens/issue-access-token.js';
import { parseSigningKeySet } from '../../shared/auth/tokens/signing-key-set.js';
import { parseRuntimeConfig } from '../../shared/config/runtime-config.js';
import type { ApiKeyRecord } from '../../shared/domain/api-keys/api-key.js';
import { hashApiKeySecret } from '../../shared/domain/api-keys/api-key-secret-hash.js';
import type { Clock } from '../../shared/domain/clock.js';
import type { RateLimitStore } from '../../shared/domain/rate-limit/rate-limit-store.js';
import type { SecretStore } from '../../shared/domain/secret-store.js';
import type { Role } from '../../shared/domain/users/user.js';
import type { BulwarkContext } from '../../shared/http/secure-request.js';
import { apiGatewayIdentity } from '../../shared/local/api-gateway-event.js';
import { createLogger } from '../../shared/logging/create-logger.js';
import { createRuntime, redactionOf } from '../../shared/runtime/create-runtime.js';
import type { Runtime, Stores } from '../../shared/runtime/runtime.js';
import { inMemoryApiKeyStore } from './in-memory-api-key-store.js';
import { inMemoryRateLimitStore } from './in-memory-rate-limit-store.js';
import { type InMemorySessionStore, inMemorySessionStore } from './in-memory-session-store.js';

/** The API key pepper's secret. */
export const TEST_SECRET_ARN = 'arn:test';
export const TEST_SIGNING_SECRET_ARN = 'arn:test:signing';
export const TEST_VERIFICATION_SECRET_ARN = 'arn:test:verification';
export const TEST_PEPPER = 'test-pepper-0123456789-abcdefghijklmnopqrstuvwxyz';
/** A fixed Ed25519 key for tests only (generated for this file; it protects nothing). */
export const TEST_SIGNING_KEY = Object.freeze({
  kid: 'test-signing-key-1',
  privateJwk: {
    kty: 'OKP',
    crv: 'Ed25519',
    x: 'yMINSyvAbKQ2OGbc6sysDCWQe-h4SFLz6OFaIaaWFHs',
    d: '3XhuGuSDwZzCs61A5CnNtaXJJaTKaUGctcZ7IHwsMEg',
  },
});
/** The public half of TEST_SIGNING_KEY as the verification-key secret holds it (a JWKS document). */
export const TEST_VERIFICATION_KEYS = Object.freeze({
  keys: [
    {
      kty: 'OKP',
      crv: 'Ed25519',
      x: TEST_SIGNING_KEY.privateJwk.x,
      kid: TEST_SIGNING_KEY.kid,
      alg: 'EdDSA',
      use: 'sig',
    },
  ],
});
const testKeyId = 'bwk_abcdefghijklmnopqrst';
const testKeySecret = '2F51JGKU__qY2mUyD0FIChjG4XR4c2r5_RgIG3KIRLU';
/** An admin API key (`key_id:secret`) held by the in-memory key store of every test runtime. */
export const TEST_API_KEY = `${testKeyId}:${testKeySecret}`;
/** 2026-11-23T12:00:00.000Z: every test starts at the same instant. */
export const FIXED_NOW_MS = Date.UTC(2026, 10, 23, 12, 0, 0);

// ---------------------------------------------------------------------------------------------------
// Log capture

/** One parsed Powertools JSON line. */
export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly [attribute: string]: unknown;
}

export interface LogCapture {
  /** Raw lines exactly as Powertools would have written them (after its JSON replacer ran). */
  readonly lines: string[];
  readonly entries: () => LogEntry[];
  /** Every line joined: for "this value never appears anywhere" assertions. */
  readonly text: () => string;
  readonly messages: (level?: string) => string[];
  readonly clear: () => void;
}

type ConsoleMethod = 'debug' | 'info' | 'warn' | 'error' | 'log' | 'trace';
type CapturingConsole = Record<ConsoleMethod, (line: unknown, ...rest: unknown[]) => void>;

/**
 * Powertools prints each log item with a single `this.console[level](JSON.stringify(item, replacer))`
 * call, where `console` is a private Console built over process.stdout (or the global console when
 * POWERTOOLS_DEV is set). Replacing that one instance field captures the exact serialized lines,
 * including the effect of `jsonReplacerFn`, without touching process-wide streams that vitest and
 * concurrent tests share.
 */
export const captureLogs = (logger: Logger): LogCapture => {
  const lines: string[] = [];
  const record = (line: unknown): void => {
    lines.push(String(line));
  };
  const capturing: CapturingConsole = {
    debug: record,
    info: record,
    warn: record,
    error: record,
    log: record,
    trace: record,
  };
  (logger as unknown as { console: CapturingConsole }).console = capturing;
  return {
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as LogEntry),
    text: () => lines.join('\n'),
    messages: (level) =>
      lines
        .map((line) => JSON.parse(line) as LogEntry)
        .filter((entry) => level === undefined || entry.level === level)
        .map((entry) => entry.message),
    clear: () => {
      lines.length = 0;
    },
  };
};

// ---------------------------------------------------------------------------------------------------
// Clock and fakes

export interface ManualClock extends Clock {
  readonly advanceMs: (ms: number) => void;
  readonly setMs: (ms: number) => void;
}

export const manualClock = (startMs: number = FIXED_NOW_MS): ManualClock => {
  let now = startMs;
  return {
    nowMs: () => now,
    advanceMs: (ms) => {
      now += ms;
    },
    setMs: (ms) => {
      now = ms;
    },
  };
};

export interface InMemorySecretStore extends SecretStore {
  readonly put: (secretId: string, value: Readonly<Record<string, unknown>>) => void;
  /** Ids requested, in order: lets tests prove caching and cold-start loading. */
  readonly requests: string[];
}

export const inMemorySecretStore = (
  initial: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): InMemorySecretStore => {
  const secrets = new Map(Object.entries(initial));
  const requests: string[] = [];
  return {
    requests,
    put: (secretId, value) => {
      secrets.set(secretId, value);
    },
    getSecretJson: async (secretId) => {
      requests.push(secretId);
      const secret = secrets.get(secretId);
      if (secret === undefined) throw new Error(`in-memory secret store has no secret "${secretId}"`);
      return secret;
    },
  };
};

// ---------------------------------------------------------------------------------------------------
// Runtime

export interface CountedMetric {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface TestRuntime extends Runtime {
  readonly logs: LogCapture;
  readonly clock: ManualClock;
  /** Every metric counted through the runtime's counters, in order. */
  readonly counted: () => readonly CountedMetric[];
}

export interface TestRuntimeOverrides {
  readonly logger?: Logger;
  readonly clock?: ManualClock;
  readonly secretStore?: SecretStore;
  readonly dynamoDb?: () => DynamoDBClient;
  readonly apiKeyStore?: Stores['apiKeys'];
  readonly sessionStore?: InMemorySessionStore;
  readonly rateLimitStore?: RateLimitStore;
  readonly stores?: Partial<Stores>;
  readonly newId?: () => string;
}

/** A stored API key record as issuing would write it, for in-memory key stores. */
export const apiKeyRecord = (key: {
  readonly keyId: string;
  readonly secret: string;
  readonly pepper: string;
  readonly name: string;
  readonly roles: readonly Role[];
}): ApiKeyRecord => ({
  keyId: key.keyId,
  name: key.name,
  roles: key.roles,
  rateLimit: undefined,
  expiresAtMs: undefined,
  revoked: false,
  secretHash: hashApiKeySecret(key.pepper, key.secret),
  createdAtMs: FIXED_NOW_MS,
  updatedAtMs: FIXED_NOW_MS,
  version: 1,
});

export const testApiKeyStore = () =>
  inMemoryApiKeyStore([
    apiKeyRecord({
      keyId: testKeyId,
      secret: testKeySecret,
      pepper: TEST_PEPPER,
      name: 'test admin',
      roles: ['admin'],
    }),
  ]);
export const testRuntime = (
  env: Readonly<Record<string, string>> = {},
  overrides: TestRuntimeOverrides = {},
): TestRuntime => {
  const config = parseRuntimeConfig({
    API_KEY_PEPPER_SECRET_ARN: TEST_SECRET_ARN,
    JWT_SIGNING_SECRET_ARN: TEST_SIGNING_SECRET_ARN,
    JWT_VERIFICATION_KEYS_SECRET_ARN: TEST_VERIFICATION_SECRET_ARN,
    ...env,
  });
  // The production logger (redaction included), so tests see exactly the lines Lambda would write.
  const logger = overrides.logger ?? createLogger(config.logLevel, redactionOf(config));
  const secretStore =
    overrides.secretStore ??
    inMemorySecretStore({
      [config.apiKeyPepperSecretArn ?? TEST_SECRET_ARN]: { pepper: TEST_PEPPER },
      [config.tokens.signingSecretArn ?? TEST_SIGNING_SECRET_ARN]: { current: TEST_SIGNING_KEY },
      [config.tokens.verificationSecretArn ?? TEST_VERIFICATION_SECRET_ARN]: TEST_VERIFICATION_KEYS,
    });
  const sessions = overrides.sessionStore ?? inMemorySessionStore();
  const apiKeys: Stores['apiKeys'] & { readonly peek?: (keyId: string) => ApiKeyRecord | undefined } =
    overrides.stores?.apiKeys ?? overrides.apiKeyStore ?? testApiKeyStore();
  const counted: CountedMetric[] = [];
  const runtime = createRuntime({
    config,
    logger,
    clock: overrides.clock ?? manualClock(),
    secretStore,
    dynamoDb:
      overrides.dynamoDb ??
      (() => {
        throw new Error('dynamoDb() is not available in unit tests');
      }),
    counters: { count: (name, dimensions) => counted.push({ name, dimensions: { ...dimensions } }) },
    stores: {
      apiKeys,
      sessions,
      // The limiter's guard is the session's revocation marker, as in the DynamoDB tables; an API key's
      // state is kept on its record, whose version, revocation and expiry each write proves.
      rateLimits:
        overrides.rateLimitStore ??
        inMemoryRateLimitStore(
          (key) => key.startsWith('revoked#') && sessions.isRevoked(key.slice(8)),
          (keyId) =>
            'peek' in apiKeys && typeof apiKeys.peek === 'function' ? apiKeys.peek(keyId) : undefined,
        ),
      ...overrides.stores,
    },
    newId: overrides.newId ?? randomUUID,
  });
  return {
    ...runtime,
    clock: runtime.clock as ManualClock,
    logs: captureLogs(logger),
    counted: () => counted,
  };
};

export interface TestAccessTokenOptions {
  readonly subject?: string;
  /** A session id of 22 base64url characters, as the session store issues them. */
  readonly sessionId?: string;
  readonly username?: string;
  readonly roles?: readonly Role[];
}

/**
 * An access token signed with TEST_SIGNING_KEY by the production issuer, with the runtime's issuer,
 * audience, lifetime and clock: exactly what POST /auth/login would hand out in that runtime.
 */
export const issueTestAccessToken = async (
  runtime: Runtime,
  options: TestAccessTokenOptions = {},
): Promise<IssuedAccessToken> => {
  const issuer = createAccessTokenIssuer({
    keys: () => parseSigningKeySet({ current: TEST_SIGNING_KEY }, TEST_SIGNING_SECRET_ARN),
    settings: accessTokenSettings({
      issuer: runtime.config.tokens.issuer,
      audience: runtime.config.tokens.audience,
      lifetimeSeconds: runtime.config.tokens.accessTokenTtlSeconds,
    }),
    clock: runtime.clock,
    newId: () => 'test-token-id-1',
  });
  return issuer.issue({
    subject: options.subject ?? '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b',
    sessionId: options.sessionId ?? 'c2Vzc2lvbi1pZC1mb3ItdA',
    username: options.username ?? 'test-admin',
    roles: options.roles ?? ['admin'],
  });
};

// ---------------------------------------------------------------------------------------------------
// API Gateway REST proxy event and Lambda context

export interface ApiGatewayEventOptions {
  readonly method?: string;
  readonly path?: string;
  /** Merged over the defaults API Gateway adds; `undefined` removes a default (e.g. Host). */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** Repeated headers. API Gateway keeps every value here and the last one in `headers`. */
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly sourceIp?: string;
  readonly queryStringParameters?: Readonly<Record<string, string>>;
}

export const TEST_HOST = 'abc123defg.execute-api.eu-west-1.amazonaws.com';
export const TEST_SOURCE_IP = '198.51.100.7';

/** The headers API Gateway (edge-optimised, via CloudFront) sends, spelled as it spells them. */
const defaultHeaders = (): Record<string, string> => ({
  Accept: '*/*',
  'Accept-Encoding': 'gzip, deflate, br',
  'CloudFront-Forwarded-Proto': 'https',
  'CloudFront-Is-Desktop-Viewer': 'true',
  'CloudFront-Viewer-Country': 'DE',
  Host: TEST_HOST,
  'User-Agent': 'vitest/5 (unit)',
  Via: '2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)',
  'X-Amz-Cf-Id': 'Wk1bS3Gm0AbCdEfGhIjKlMnOpQrStUvWxYz0123456789==',
  'X-Amzn-Trace-Id': 'Root=1-6740c8a0-0123456789abcdef01234567',
  'X-Forwarded-Port': '443',
  'X-Forwarded-Proto': 'https',
});

export const apiGatewayEvent = (options: ApiGatewayEventOptions = {}): APIGatewayProxyEvent => {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/health';
  const sourceIp = options.sourceIp ?? TEST_SOURCE_IP;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...defaultHeaders(), ...options.headers })) {
    if (value !== undefined) headers[name] = value;
  }
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  for (const [name, values] of Object.entries(options.multiValueHeaders ?? {})) {
    multiValueHeaders[name] = [...values];
    const last = values.at(-1);
    if (last !== undefined) headers[name] = last;
  }
  const query = options.queryStringParameters;
  const hasHeaders = Object.keys(headers).length > 0;

  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    // API Gateway sends null, not {}, when the request has no headers or query string.
    headers: hasHeaders ? headers : (null as unknown as APIGatewayProxyEvent['headers']),
    multiValueHeaders: hasHeaders
      ? multiValueHeaders
      : (null as unknown as APIGatewayProxyEvent['multiValueHeaders']),
    queryStringParameters: query === undefined ? null : { ...query },
    multiValueQueryStringParameters:
      query === undefined
        ? null
        : Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]])),
    pathParameters: { proxy: path.replace(/^\//, '') },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123defg',
      authorizer: null,
      domainName: TEST_HOST,
      domainPrefix: 'abc123defg',
      extendedRequestId: 'Bq9x1FQvDoEFa7g=',
      httpMethod: method,
      identity: apiGatewayIdentity(sourceIp, headers['User-Agent'] ?? null),
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTime: '23/Nov/2026:12:00:00 +0000',
      requestTimeEpoch: FIXED_NOW_MS,
      resourceId: 'abc123',
      resourcePath: '/{proxy+}',
      stage: 'prod',
    },
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
};

/**
 * A fresh Lambda context per invocation (middy and the chain write to it). The chain's first
 * middleware adds `bulwark`, so the object is typed as the context the handler signature expects.
 */
export const lambdaContext = (overrides: Partial<Context> = {}): BulwarkContext =>
  ({
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'bulwark-test-function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bulwark-test-function',
    memoryLimitInMB: '256',
    awsRequestId: '3f0c0b7e-0f5e-4c63-9d2a-9a5bb2e6a001',
    logGroupName: '/aws/lambda/bulwark-test-function',
    logStreamName: '2026/11/23/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  }) as BulwarkContext;
