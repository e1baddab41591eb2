/** The in-memory store's record-kept limits against the contract the DynamoDB adapter also runs. */
import { inMemoryRateLimitStore, type ProvableRecord } from '../../support/in-memory-rate-limit-store.js';
import { describeRecordStoreContract } from './record-store-contract.js';

describeRecordStoreContract('in-memory fake', () => {
  const records = new Map<string, ProvableRecord>();
  return {
    store: inMemoryRateLimitStore(undefined, (id) => records.get(id)),
    putRecord: async (id, record) => {
      records.set(id, { version: record.version, revoked: record.revoked, expiresAtMs: record.expiresAtMs });
    },
  };
});
