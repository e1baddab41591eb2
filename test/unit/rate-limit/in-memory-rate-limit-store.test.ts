import { inMemoryRateLimitStore } from '../../support/in-memory-rate-limit-store.js';
import { describeRateLimitStoreContract } from './rate-limit-store-contract.js';

describeRateLimitStoreContract('in-memory fake', () => {
  const store = inMemoryRateLimitStore();
  return { store, revoke: async (guardKey) => store.revoke(guardKey) };
});
