import { inMemoryBreakerStore, inMemoryLastGoodCache } from '../../support/in-memory-breaker-store.js';
import { breakerStoreContract } from './breaker-store-contract.js';

breakerStoreContract('in memory', async () => ({
  states: inMemoryBreakerStore(),
  lastGood: inMemoryLastGoodCache(),
}));
