import type { ApiKeyMetadata, ApiKeyRecord } from '../../shared/domain/api-keys/api-key.js';
import { ApiKeyNotFoundError } from '../../shared/domain/api-keys/api-key-errors.js';
import type { ApiKeyRotationStore, ApiKeyStore } from '../../shared/domain/api-keys/api-key-store.js';

const metadataOf = ({
  secretHash: _hash,
  previousSecretHash: _previous,
  ...metadata
}: ApiKeyRecord): ApiKeyMetadata => metadata;

/** The ApiKeyStore contract in memory, for unit tests of the chain; DynamoDB's is tested on DynamoDB Local. */
export const inMemoryApiKeyStore = (
  initial: readonly ApiKeyRecord[] = [],
): ApiKeyStore &
  ApiKeyRotationStore & {
    readonly gets: () => number;
    /** The stored record without counting a read (what the limiter's record proof tests). */
    readonly peek: (keyId: string) => ApiKeyRecord | undefined;
  } => {
  const records = new Map(initial.map((record) => [record.keyId, record] as const));
  let gets = 0;
  return {
    gets: () => gets,
    peek: (keyId) => records.get(keyId),
    create: async (record) => {
      if (records.has(record.keyId)) throw new Error(`key id ${record.keyId} taken`);
      records.set(record.keyId, record);
    },
    get: async (keyId) => {
      gets += 1;
      return records.get(keyId);
    },
    list: async () => [...records.values()].map(metadataOf),
    update: async (keyId, changes) => {
      const record = records.get(keyId);
      if (record === undefined) throw new ApiKeyNotFoundError('missing');
      if (record.revoked) throw new ApiKeyNotFoundError('revoked');
      const updated: ApiKeyRecord = {
        ...record,
        ...(changes.roles === undefined ? {} : { roles: changes.roles }),
        ...(changes.rateLimit === undefined ? {} : { rateLimit: changes.rateLimit ?? undefined }),
        updatedAtMs: changes.updatedAtMs,
        version: record.version + 1,
      };
      records.set(keyId, updated);
      return metadataOf(updated);
    },
    rotate: async (keyId, rotation) => {
      const record = records.get(keyId);
      if (record === undefined) throw new ApiKeyNotFoundError('missing');
      if (record.revoked) throw new ApiKeyNotFoundError('revoked');
      const { previousSecretHash: _previous, previousSecretExpiresAtMs: _previousExpires, ...rest } = record;
      const rotated: ApiKeyRecord = {
        ...rest,
        secretHash: rotation.secretHash,
        ...(rotation.previousSecretExpiresAtMs === undefined
          ? {}
          : {
              previousSecretHash: record.secretHash,
              previousSecretExpiresAtMs: rotation.previousSecretExpiresAtMs,
            }),
        updatedAtMs: rotation.updatedAtMs,
        version: record.version + 1,
      };
      records.set(keyId, rotated);
      return metadataOf(rotated);
    },
    revoke: async (keyId, updatedAtMs) => {
      const record = records.get(keyId);
      if (record === undefined) throw new ApiKeyNotFoundError('missing');
      const revoked = { ...record, revoked: true, updatedAtMs, version: record.version + 1 };
      records.set(keyId, revoked);
      return metadataOf(revoked);
    },
  };
};
