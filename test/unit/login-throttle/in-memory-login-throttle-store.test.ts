import { inMemoryLoginThrottleStore } from '../../support/in-memory-login-throttle-store.js';
import { describeLoginThrottleStoreContract } from './login-throttle-store-contract.js';

describeLoginThrottleStoreContract('in-memory fake', inMemoryLoginThrottleStore);
