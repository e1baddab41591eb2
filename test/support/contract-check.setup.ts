/**
 * The contract tests (vitest setup file, so no test opts in or can forget): after each test file, every
 * answer the local stacks it started gave (success or problem, recorded by the local server) is checked
 * against the OpenAPI document of its route and status. An answer that does not match fails the file.
 */
import { readFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { takeRecordedExchanges } from './spawn-local-stack.js';

const shown = 40;

afterAll(async () => {
  const recordings = takeRecordedExchanges().filter((recording) => recording.contract !== undefined);
  if (recordings.length === 0) return;
  const { contractChecker } = await import('./openapi-contract.js');
  const violations: string[] = [];
  let checked = 0;
  for (const recording of recordings) {
    const checker = contractChecker(JSON.parse(readFileSync(recording.contract ?? '', 'utf8')));
    for (const exchange of recording.exchanges) {
      checked += 1;
      violations.push(...checker.violations(exchange));
    }
  }
  const distinct = [...new Set(violations)];
  if (distinct.length > 0)
    throw new Error(
      `${distinct.length} answers of ${checked} from the local stack do not match the OpenAPI document:\n${distinct
        .slice(0, shown)
        .join('\n')}${distinct.length > shown ? `\n... and ${distinct.length - shown} more` : ''}`,
    );
});
