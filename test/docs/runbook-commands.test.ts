/**
 * The operator commands of the runbooks, checked against the code: every `bulwark ...` line parses as
 * the real CLI parses it (a command, its flags and their values, placeholders filled in) and reaches
 * its action; every `npm run <script>` names a script of package.json; the shell helpers the runbooks
 * pipe secrets through do what they say. A runbook step with a renamed flag fails here, not during an
 * incident. What the commands do is tested end to end in test/e2e/cli.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.js';
import { assertStrongSecret } from '../../shared/auth/assert-strong-secret.js';
import { readDoc } from './doc-text.js';

const runbooks = readdirSync('docs/runbooks')
  .filter((name) => name.endsWith('.md'))
  .map((name) => ({ name, text: readDoc(`docs/runbooks/${name}`).text }));

/** Lines of the runbooks' shell blocks, with line continuations joined. */
const codeLines = (markdown: string): string[] =>
  [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    (block[1] ?? '')
      .replaceAll(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );

const lines = runbooks.flatMap(({ name, text }) => codeLines(text).map((line) => ({ name, line })));
const cliLines = lines.filter(({ line }) => line.startsWith('bulwark '));
const npmLines = lines.filter(({ line }) => line.startsWith('npm run '));

/** Example values for the runbooks' placeholders. */
const placeholders: Readonly<Record<string, string>> = {
  key_id: 'bwk_aaaaaaaaaaaaaaaaaaaa',
  'old key_id': 'bwk_bbbbbbbbbbbbbbbbbbbb',
  username: 'alice',
  admin: 'admin',
  client: 'billing-export',
};

/** argv of a runbook line: placeholders filled, up to the first pipe, words as a shell splits them. */
const argvOf = (line: string): string[] => {
  const filled = (line.split(' | ')[0] ?? '').replaceAll(/<([^<>]+)>/g, (_, name: string) => {
    const value = placeholders[name];
    if (value === undefined) throw new Error(`no example for the placeholder <${name}> in: ${line}`);
    return value;
  });
  return [...filled.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)]
    .map((match) => match[1] ?? match[2] ?? match[3] ?? '')
    .slice(1);
};

const home = mkdtempSync(join(tmpdir(), 'bulwark-runbook-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the runbooks’ operator commands', () => {
  it('are CLI commands: the runbooks name bulwark commands and npm scripts', () => {
    expect(cliLines.length).toBeGreaterThanOrEqual(15);
    expect(npmLines.length).toBeGreaterThanOrEqual(8);
    expect(lines.filter(({ line }) => line.startsWith('aws dynamodb'))).toEqual([]);
  });

  it.each(cliLines.map(({ name, line }) => [name, line] as const))(
    '%s: `%s` parses and reaches its action',
    async (_, line) => {
      const errors: string[] = [];
      const io = {
        stdout: () => undefined,
        stderr: (text: string) => void errors.push(text),
        stdinIsTerminal: false,
      };
      // No URL anywhere: a line that parses stops at the first thing its action needs, the target.
      const code = await runCli(argvOf(line), { HOME: home, XDG_CONFIG_HOME: home }, io, home);
      const output = errors.join('');
      if (argvOf(line)[0] === 'help') expect(code).toBe(0);
      else {
        expect(output, line).toContain('no API to talk to');
        expect(code).toBe(2);
      }
    },
  );

  it.each(npmLines.map(({ name, line }) => [name, line] as const))(
    '%s: `%s` is a script of package.json',
    (_, line) => {
      const scripts = (
        JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
      ).scripts;
      const script = /^npm run (?:--silent )?([\w:.-]+)/.exec(line)?.[1] ?? '';
      expect(Object.keys(scripts), line).toContain(script);
    },
  );

  it('the helper that moves a new key into the probe secret keeps only the credential', () => {
    const pipeline = lines.find(
      ({ line }) => line.includes('put-secret-value') && line.startsWith('bulwark '),
    );
    const script = /node -e "([^"]+)"/.exec(pipeline?.line ?? '')?.[1] ?? '';
    const output = execFileSync(process.execPath, ['-e', script], {
      input: JSON.stringify({
        key_id: 'bwk_aaaaaaaaaaaaaaaaaaaa',
        secret: 'bwk_aaaaaaaaaaaaaaaaaaaa:s3cr3t',
        name: 'probe',
      }),
    }).toString();
    expect(JSON.parse(output)).toEqual({ api_key: 'bwk_aaaaaaaaaaaaaaaaaaaa:s3cr3t' });
  });

  it('the new pepper passes the production check', () => {
    const pepperLine = lines.find(({ line }) => line.includes('randomBytes'))?.line ?? '';
    const script = /node -e "([^"]+)"/.exec(pepperLine)?.[1] ?? '';
    const { pepper } = JSON.parse(execFileSync(process.execPath, ['-e', script]).toString()) as {
      pepper: string;
    };
    expect(pepper).toHaveLength(48);
    expect(() => assertStrongSecret('API_KEY_PEPPER_SECRET_ARN', pepper)).not.toThrow();
  });
});
