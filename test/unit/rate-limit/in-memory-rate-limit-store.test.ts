import { inMemoryRateLimitStore } from '../../support/in-memory-rate-limit-store.js';
import { describeRateLimitStoreContract } from './rate-limit-store-contract.js';

describeRateLimitStoreContract('in-memory fake', () => {
  const store = inMemoryRateLimitStore();
  return { store, revoke: async (guardKey) => store.revoke(guardKey) };
});

// As the test runtime wires it: markers live in another store (the sessions), looked up on demand.
describeRateLimitStoreContract('in-memory fake with markers looked up elsewhere', () => {
  const markers = new Set<string>();
  return {
    store: inMemoryRateLimitStore(async (key) => markers.has(key)),
    revoke: async (guardKey) => {
      markers.add(guardKey);
    },
  };
});
