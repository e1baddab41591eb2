/**
 * docs/configuration.md is generated from the runtime settings table, and the README's list of the
 * headers every answer carries is what the chain's header middlewares set.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  acceptedValues,
  configurationDoc,
  configurationDocFile,
  defaultText,
} from '../../scripts/configuration-doc.js';
import { exposedHeaders } from '../../shared/chain/create-secure-handler.js';
import { runtimeSettings } from '../../shared/config/runtime-settings.js';
import type { SecureRequest } from '../../shared/http/secure-request.js';
import { addSecurityHeaders } from '../../shared/middlewares/add-security-headers.js';
import { cellsOf, sectionOf, tablesOf } from './doc-text.js';

describe('docs/configuration.md', () => {
  it('is what `npm run docs:fix` makes of the settings table (run it after changing a setting)', () => {
    expect(readFileSync(configurationDocFile, 'utf8')).toBe(configurationDoc());
  });

  it('reads the accepted values from the parsers: bounds, members, lists and check messages', () => {
    expect(acceptedValues(runtimeSettings.trustProxyHops.parser)).toBe('whole number 0-10');
    expect(acceptedValues(runtimeSettings.logLevel.parser)).toBe('one of `debug`, `info`, `warn`, `error`');
    expect(acceptedValues(runtimeSettings.cors.enabled.parser)).toBe('`true` or `false`');
    expect(acceptedValues(runtimeSettings.tokens.issuer.parser)).toBe('1-200 characters');
    expect(acceptedValues(runtimeSettings.trustedHosts.parser)).toMatch(
      /^comma-separated list of at most 100 entries; each entry must be a host name/,
    );
    expect(acceptedValues(runtimeSettings.auth.header.parser)).toMatch(
      /^a lowercase HTTP header name; must not/,
    );
  });

  it('shows the default the parser gives an unset variable', () => {
    expect(defaultText(runtimeSettings.bodyMaxBytes.parser)).toBe('`65536`');
    expect(defaultText(runtimeSettings.cors.allowOrigins.parser)).toBe('empty');
    expect(defaultText(runtimeSettings.usersTableName.parser)).toBe('none');
  });

  it('says where every variable is set', () => {
    const page = readFileSync(configurationDocFile, 'utf8');
    const table = tablesOf(page).find((candidate) => candidate.header[0] === 'Variable');
    const setWhere = (variable: string) =>
      table?.rows.find((row) => row[0] === `\`${variable}\``)?.[table.header.indexOf('Set where')];
    expect(setWhere('API_TRUST_PROXY_HOPS')).toBe('stage config (`infra/config.ts`)');
    expect(setWhere('USERS_TABLE_NAME')).toBe('automatic (CDK)');
    expect(setWhere('AWS_REGION')).toBe('Lambda');
    expect(setWhere('DYNAMODB_ENDPOINT')).toBe('local only');
  });
});

describe('the README on the headers every answer carries', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = sectionOf(readme, 'Headers every answer carries');
  const [always, some] = tablesOf(section);
  const listed = new Map((always?.rows ?? []).map((row) => [row[0]?.replaceAll('`', ''), row[1] ?? '']));

  it.each(['after', 'onError'] as const)('lists every security header with its value (%s)', (phase) => {
    const request = {
      event: {},
      context: {},
      response: { statusCode: 200, headers: {}, body: '' },
      internal: {},
    } as unknown as SecureRequest;
    addSecurityHeaders()[phase]?.(request);
    const headers = Object.entries(request.response?.headers ?? {});
    expect(headers.length).toBeGreaterThan(10);
    for (const [name, value] of headers) expect(listed.get(name), name).toBe(`\`${String(value)}\``);
    expect([...listed.keys()].sort()).toEqual(['x-request-id', ...headers.map(([name]) => name)].sort());
  });

  it('lists the headers CORS exposes', () => {
    const cors = (some?.rows ?? []).map((row) => cellsOf(`|${row.join('|')}|`)[0] ?? '').join(' ');
    for (const header of exposedHeaders) expect(cors).toContain(`\`${header}\``);
  });
});
