import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runtimeVariableNames } from '../../shared/config/runtime-config.js';
import {
  type GatewayCatchAllCode,
  gatewayCatchAllProblemTypes,
  type ProblemCode,
  problemTypes,
  problemTypeUri,
} from '../../shared/errors/problem-types.js';
import { routes } from '../../shared/routes/route-table.js';

const readme = readFileSync('README.md', 'utf8');
const configurationDoc = readFileSync('docs/configuration.md', 'utf8');
const problemDoc = readFileSync('docs/problem-types.md', 'utf8');

describe('documentation stays in step with the code', () => {
  it.each(runtimeVariableNames)('docs/configuration.md documents %s', (name) => {
    expect(configurationDoc).toMatch(new RegExp(`^\\| \`${name}\`\\s*\\|`, 'm'));
  });

  it.each(Object.keys(problemTypes) as ProblemCode[])(
    'docs/problem-types.md documents %s with its status',
    (code) => {
      expect(problemDoc).toMatch(
        new RegExp(`^\\| \`${problemTypeUri(code)}\`\\s*\\| ${problemTypes[code].status}\\s*\\|`, 'm'),
      );
    },
  );

  it.each(Object.keys(gatewayCatchAllProblemTypes) as GatewayCatchAllCode[])(
    'docs/problem-types.md documents the catch-all %s with its status class',
    (code) => {
      expect(problemDoc).toMatch(
        new RegExp(
          `^\\| \`${problemTypeUri(code)}\`\\s*\\| ${gatewayCatchAllProblemTypes[code].statusClass}\\s*\\|`,
          'm',
        ),
      );
    },
  );

  it.each(routes.map((route) => [route.method, route.path] as const))(
    'the README route table lists %s %s',
    (method, path) => {
      expect(readme).toMatch(
        new RegExp(`^\\| \`${method}\`\\s*\\| \`${path.replaceAll('/', '\\/')}\`\\s*\\|`, 'm'),
      );
    },
  );
});
