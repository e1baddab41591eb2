/**
 * docs/problem-types.md for client developers: every type says what the client does and whether it
 * retries, and the table of API Gateway's own answers is the gateway responses the CDK app configures.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gatewayProblems } from '../../infra/constructs/problem-gateway-responses.js';
import {
  gatewayCatchAllProblemTypes,
  problemTypes,
  problemTypeUri,
} from '../../shared/errors/problem-types.js';
import { tablesOf } from './doc-text.js';

const page = readFileSync('docs/problem-types.md', 'utf8');
const tables = tablesOf(page);
const typeTables = tables.filter((table) => table.header[0] === 'type');
const actionColumn = 'client action / retry?';

describe('docs/problem-types.md', () => {
  it('has a client action column in every table of types', () => {
    expect(typeTables.length).toBeGreaterThanOrEqual(2);
    for (const table of typeTables) expect(table.header).toContain(actionColumn);
  });

  it.each([...Object.keys(problemTypes), ...Object.keys(gatewayCatchAllProblemTypes)])(
    'says what a client does on %s, and whether it retries',
    (code) => {
      const uri = `\`${problemTypeUri(code as keyof typeof problemTypes)}\``;
      const [row, header] =
        typeTables.flatMap((table) =>
          table.rows.filter((cells) => cells[0] === uri).map((cells) => [cells, table.header] as const),
        )[0] ?? [];
      expect(row, code).toBeDefined();
      const action = row?.[header?.indexOf(actionColumn) ?? -1] ?? '';
      expect(action.length, code).toBeGreaterThan(10);
      expect(action, code).not.toMatch(/TODO/);
      expect(action, code).toMatch(/retry|repeat|retries/i);
    },
  );

  it('lists every gateway response the CDK app configures with the type it answers', () => {
    const table = tables.find((candidate) => candidate.header[0] === 'gateway response');
    const documented = new Map(
      (table?.rows ?? []).flatMap(([types = '', uri = '']) =>
        [...types.matchAll(/`([A-Z_0-9]+)`/g)].map((match) => [match[1], uri] as const),
      ),
    );
    const configured = gatewayProblems.map(
      (problem) => [problem.type.responseType, `\`${problemTypeUri(problem.code as never)}\``] as const,
    );
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(configured));
  });
});
