/**
 * The CLI's own argument checks (found by an outside test): a base URL with a query string or fragment is
 * refused, not printed back with a `/` appended; `--window-minutes` takes digits only, as every other
 * numeric flag does.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loginSessions } from '../../../cli/login-sessions.js';
import { runCli } from '../../../cli/main.js';
import { resolveTarget } from '../../../cli/target.js';

describe('the CLI target URL', () => {
  it.each(['http://127.0.0.1:1/?token=SECRETINURL', 'https://api.example.com/#frag'])(
    'refuses %s with a usage error that does not repeat the URL',
    async (url) => {
      const refusal = await resolveTarget(url, {}, process.cwd()).then(
        () => undefined,
        (error: unknown) => error as { exitCode: number; message: string },
      );
      expect(refusal?.exitCode).toBe(2);
      expect(refusal?.message).toBe('--url must be the API’s base URL, without a query string or fragment');
    },
  );

  it('keeps a plain base URL, with its path, ending in /', async () => {
    await expect(resolveTarget('https://api.example.com/prod', {}, process.cwd())).resolves.toMatchObject({
      baseUrl: 'https://api.example.com/prod/',
    });
  });
});

describe('--window-minutes', () => {
  it.each(['0x10', '1e3', '5.0', ' 7'])('refuses %j as a usage error (exit 2)', async (value) => {
    const errors: string[] = [];
    const code = await runCli(
      ['triage', '--window-minutes', value],
      {},
      {
        stdout: () => undefined,
        stderr: (text: string) => errors.push(text),
        stdinIsTerminal: false,
      },
    );
    expect(code).toBe(2);
    expect(errors.join('')).toMatch(/--window-minutes must be a whole number from 1 to 1440/);
  });
});

describe('a login file that is not JSON', () => {
  it('is a usage error naming the file and what to do, not an unexpected SyntaxError', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bulwark-cli-'));
    mkdirSync(join(home, 'bulwark'), { mode: 0o700 });
    writeFileSync(join(home, 'bulwark', 'logins.json'), '{ not json', { mode: 0o600 });
    const refusal = await loginSessions({ XDG_CONFIG_HOME: home })
      .get('https://api.example.com/')
      .then(
        () => undefined,
        (error: unknown) => error as { exitCode: number; message: string },
      );
    expect(refusal?.exitCode).toBe(2);
    expect(refusal?.message).toBe(
      `${join(home, 'bulwark', 'logins.json')} is not valid JSON: delete it and log in again (bulwark login)`,
    );
  });
});
