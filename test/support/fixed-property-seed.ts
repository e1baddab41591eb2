import fc from 'fast-check';

/**
 * Setup file of the mutation run (vitest.mutation.config.ts): every fast-check property draws the same
 * values on every run, so whether a property detects a mutant does not depend on luck, and a result the
 * incremental baseline reuses is the result a new run would give. `npm test` keeps random seeds.
 */
fc.configureGlobal({ seed: 20_261_123 });
