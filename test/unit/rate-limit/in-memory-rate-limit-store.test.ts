import { inMemoryRateLimitStore } from '../../support/in-memory-rate-limit-store.js';
import { describeRateLimitStoreContract } from './rate-limit-store-contract.js';

describeRateLimitStoreContract('in-memory fake', () => {
  const revoked = new Set<string>();
  return {
    store: inMemoryRateLimitStore((key) => revoked.has(key)),
    revoke: async (key) => {
      revoked.add(key);
    },
  };
});
