import { inMemorySessionStore } from '../../support/in-memory-session-store.js';
import { describeSessionStoreContract } from './session-store-contract.js';

describeSessionStoreContract('in-memory fake', inMemorySessionStore);
