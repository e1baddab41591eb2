/**
 * Local mode: the suite starts its own DynamoDB Local (so it can pause it) and its own local stack with
 * the settings the checks rely on, and stops both afterwards. The suite reads the stack's bootstrap.json
 * (admin key) and secrets.json (development signing key) like any developer could; it imports nothing
 * of the server's code to decide a result.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CryptoKey, importJWK, type JWK } from 'jose';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { type LocalStack, spawnLocalStack } from '../support/spawn-local-stack.js';
import { createTarget, type SigningKey, type Target } from './target.js';

/**
 * As `npm start` uses: the local stack runs every function in one Node process, so 40 parallel logins
 * (each a bcrypt check on the one event loop) delay DynamoDB answers that a Lambda fleet would not;
 * a 300 ms budget would turn that into 503s, and on a machine busy with other work even npm start's
 * 2 s did. The slow-backend checks hold it to 2x this instead.
 */
export const localLimiterTimeoutMs = 4000;
/** The trusted-host checks expect exactly these patterns. */
export const localTrustedHosts = ['localhost', '127.0.0.1', '*.example.test'] as const;
export const localAllowedOrigin = 'https://app.example.test';
export const localBodyMaxBytes = 2048;
export const localRefreshGraceSeconds = 1;

/**
 * The local stack's environment. One trusted proxy hop, so X-Forwarded-For plays a distinct client per
 * check; a default limit of 50 a minute, small enough to flood quickly and large enough for 40
 * concurrent logins from one address; bcrypt cost 10 for quick logins.
 */
export const localStackEnvironment: Readonly<Record<string, string>> = Object.freeze({
  API_TRUST_PROXY_HOPS: '1',
  API_RATE_LIMIT_REQUESTS: '50',
  API_RATE_LIMIT_WINDOW_SECONDS: '60',
  SECURITY_LIMITER_TIMEOUT_MS: String(localLimiterTimeoutMs),
  SECURITY_LIMITER_FAILURE_MODE: 'fail-closed',
  TRUSTED_HOSTS: localTrustedHosts.join(','),
  CORS_ENABLED: 'true',
  CORS_ALLOW_ORIGINS: localAllowedOrigin,
  API_BODY_MAX_BYTES: String(localBodyMaxBytes),
  REFRESH_REUSE_GRACE_SECONDS: String(localRefreshGraceSeconds),
  PASSWORD_BCRYPT_COST: '10',
});

export interface LocalTarget {
  readonly target: Target;
  /** Everything the stack wrote, for a failure report. */
  readonly logs: () => string;
  /** Stops the stack and DynamoDB Local (resuming it first if paused); safe to call more than once. */
  readonly stop: () => Promise<void>;
}

/** The development signing key `npm start` generated into the stack's secrets.json. */
const readSigningKey = async (stack: LocalStack): Promise<SigningKey> => {
  const secrets = JSON.parse(await readFile(join(stack.localDir, 'secrets.json'), 'utf8')) as Record<
    string,
    { current?: { kid?: string; privateJwk?: JWK } }
  >;
  const current = Object.entries(secrets).find(([arn]) => arn.endsWith('jwtSigningKeys'))?.[1].current;
  if (current?.kid === undefined || current.privateJwk === undefined)
    throw new Error('the local stack wrote no signing key to secrets.json');
  return { kid: current.kid, privateKey: (await importJWK(current.privateJwk, 'EdDSA')) as CryptoKey };
};

export const startLocalTarget = async (): Promise<LocalTarget> => {
  const dynamoDb = await startDynamoDbLocal();
  let stack: LocalStack | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await stack?.stop();
      await dynamoDb.stop();
    })();
    return stopped;
  };
  try {
    stack = await spawnLocalStack(dynamoDb.endpoint, { ...localStackEnvironment });
    const target = createTarget({
      mode: 'local',
      baseUrl: stack.baseUrl,
      adminApiKey: stack.apiKey,
      apiKeyHeader: 'x-api-key',
      allowedOrigin: localAllowedOrigin,
      bodyMaxBytes: localBodyMaxBytes,
      refreshGraceSeconds: localRefreshGraceSeconds,
      local: {
        pauseBackend: dynamoDb.pause,
        resumeBackend: dynamoDb.resume,
        limiterTimeoutMs: localLimiterTimeoutMs,
        signingKey: await readSigningKey(stack),
      },
    });
    const started = stack;
    return { target, logs: () => started.logs(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
