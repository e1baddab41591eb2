import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
  type SecretValueEntry,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../../domain/secret-store.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';
import { parseSecretJson } from './parse-secret-json.js';

/** BatchGetSecretValue takes at most this many ids in one request. */
const MAX_BATCH = 20;

interface Waiting {
  readonly secretId: string;
  readonly resolve: (secretString: string | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Whether a returned entry is the secret asked for by `secretId`: its full ARN, its name, or its ARN
 * without the six random characters Secrets Manager appends (a partial ARN).
 */
const answers = (entry: { readonly ARN?: string; readonly Name?: string }, secretId: string): boolean =>
  entry.ARN === secretId ||
  entry.Name === secretId ||
  (entry.ARN?.startsWith(secretId) === true && /^-[A-Za-z0-9]{6}$/.test(entry.ARN.slice(secretId.length)));

/**
 * Reads AWSCURRENT. Every SDK failure becomes a 503-class domain error; nothing of the secret is logged.
 *
 * With `batch`, the reads asked for in one turn of the event loop (a cold start's verification keys and
 * pepper, requested together) go out as one BatchGetSecretValue request instead of one GetSecretValue
 * each: one TLS connection and round trip less per cold start. It needs `secretsmanager:BatchGetSecretValue`
 * (no resource-level permissions) besides GetSecretValue on each secret, which Secrets Manager checks
 * per secret, so the secrets' resource policies apply as before. A lone read is still a GetSecretValue.
 */
export const secretsManagerSecretStore = (
  client: SecretsManagerClient,
  options: { readonly batch?: boolean } = {},
): SecretStore => {
  const getOne = async (secretId: string): Promise<string | undefined> => {
    try {
      return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      throw new DependencyUnavailableError('secrets-manager', error);
    }
  };

  const getMany = async (waiting: readonly Waiting[]): Promise<void> => {
    const secretIds = [...new Set(waiting.map((read) => read.secretId))];
    if (secretIds.length === 1) {
      const [only] = secretIds as [string];
      await getOne(only).then(
        (value) => {
          for (const read of waiting) read.resolve(value);
        },
        (error: unknown) => {
          for (const read of waiting) read.reject(error);
        },
      );
      return;
    }
    let values: readonly SecretValueEntry[];
    let errors: readonly {
      readonly SecretId?: string;
      readonly ErrorCode?: string;
      readonly Message?: string;
    }[];
    try {
      const output = await client.send(new BatchGetSecretValueCommand({ SecretIdList: secretIds }));
      values = output.SecretValues ?? [];
      errors = output.Errors ?? [];
    } catch (error) {
      for (const read of waiting) read.reject(new DependencyUnavailableError('secrets-manager', error));
      return;
    }
    for (const read of waiting) {
      const value = values.find((entry) => answers(entry, read.secretId));
      const failure = errors.find((entry) => entry.SecretId === read.secretId);
      if (value !== undefined) read.resolve(value.SecretString);
      else if (failure !== undefined) {
        read.reject(
          new DependencyUnavailableError('secrets-manager', {
            name: failure.ErrorCode ?? 'Error',
            message: failure.Message ?? '',
          }),
        );
      }
      // An answer that names neither (an id form the match does not know): asked on its own.
      else getOne(read.secretId).then(read.resolve, read.reject);
    }
  };

  let queue: Waiting[] = [];
  const enqueue = (secretId: string): Promise<string | undefined> =>
    new Promise((resolve, reject) => {
      if (queue.length === 0) {
        // After every read this turn has asked for: its promise chains run before setImmediate.
        setImmediate(() => {
          const batch = queue;
          queue = [];
          for (let start = 0; start < batch.length; start += MAX_BATCH) {
            void getMany(batch.slice(start, start + MAX_BATCH));
          }
        });
      }
      queue.push({ secretId, resolve, reject });
    });

  return {
    getSecretJson: async (secretId) =>
      parseSecretJson(secretId, options.batch === true ? await enqueue(secretId) : await getOne(secretId)),
  };
};
