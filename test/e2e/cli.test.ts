/**
 * The `bulwark` CLI as an operator runs it: the real binary (bin/bulwark.mjs) in a child process against
 * a local stack over HTTP. Every invocation's stdout, stderr and exit code are checked, and no secret
 * the test knows (API keys, passwords, tokens) may ever appear on stderr.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, logEntries, startLocalStack, waitForLogs } from '../support/local-stack-process.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'bulwark.mjs');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let stack: LocalStack;
let home: string;
/** Every secret the test has seen: none may ever be written to stderr. */
const secrets = new Set<string>();
const secretOf = (credential: string): string => credential.slice(credential.indexOf(':') + 1);

const remember = (...values: string[]): void => {
  for (const value of values) if (value.length >= 12) secrets.add(value);
};

const cli = (
  args: readonly string[],
  options: {
    readonly env?: Record<string, string | undefined>;
    readonly input?: string;
    readonly cwd?: string;
  } = {},
): Promise<Run> =>
  new Promise((resolveRun, reject) => {
    const env: Record<string, string> = {
      PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      BULWARK_URL: stack.baseUrl,
    };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? home, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      for (const secret of secrets) {
        if (stderr.includes(secret))
          reject(new Error(`a secret reached stderr of: bulwark ${args.join(' ')}`));
      }
      resolveRun({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });

const admin = (): Record<string, string> => ({ BULWARK_API_KEY: stack.apiKey });
const jsonOf = <T>(run: Run): T => JSON.parse(run.stdout) as T;

beforeAll(async () => {
  stack = await startLocalStack({ API_KEY_ROTATION_OVERLAP_SECONDS: '600' });
  home = await mkdtemp(join(tmpdir(), 'bulwark-cli-'));
  remember(secretOf(stack.apiKey), stack.admin.password);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

describe('bulwark: help, usage and exit codes', () => {
  it('documents the exit-code table and exits 0', async () => {
    const run = await cli(['help', 'exit-codes']);
    expect(run.code).toBe(0);
    for (const line of [/^\s+0 {2}ok$/m, /^\s+2 {2}usage/m, /^\s+3 {2}the API rejected/m, /^\s+4 {2}auth/m]) {
      expect(run.stdout).toMatch(line);
    }
    expect(run.stdout).toMatch(/^\s+5 {2}rate limited/m);
    expect(run.stdout).toMatch(/^\s+6 {2}network/m);
  });

  it('refuses a mistyped command with a suggestion and a credential on argv without echoing it (2)', async () => {
    const typo = await cli(['keys', 'lst']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean list?');
    const onArgv = await cli(['keys', 'list', `--api-key=${stack.apiKey}`]);
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr).toContain('unknown option');
    expect(onArgv.stderr).not.toContain(secretOf(stack.apiKey));
  });

  it('answers the public liveness probe without any credential', async () => {
    const run = await cli(['health']);
    expect(run).toMatchObject({ code: 0, stdout: 'ok\n' });
  });

  it('exits 4 without a credential, and 6 when the API cannot be reached', async () => {
    const none = await cli(['keys', 'list']);
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('no credential');
    const down = await cli(['health', '--timeout', '2'], { env: { BULWARK_URL: 'http://127.0.0.1:9/' } });
    expect(down.code).toBe(6);
    expect(down.stderr).toMatch(/cannot reach|no answer/);
  });

  it('retries a network failure only where safe: a GET three times, a POST once (6)', async () => {
    let connections = 0;
    const dropping = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((ready) => dropping.listen(0, '127.0.0.1', ready));
    const { port } = dropping.address() as AddressInfo;
    const env = { ...admin(), BULWARK_URL: `http://127.0.0.1:${port}/` };
    try {
      const list = await cli(['keys', 'list'], { env });
      expect(list.code).toBe(6);
      expect(connections).toBe(3);
      connections = 0;
      const create = await cli(['keys', 'create', '--name', 'never', '--role', 'user'], { env });
      expect(create.code).toBe(6);
      expect(connections).toBe(1);
      expect(create.stderr).toMatch(/Request ID: cli-/);
    } finally {
      await new Promise((closed) => dropping.close(closed));
    }
  });
});

describe('bulwark: credentials', () => {
  it('reads a 0600 credentials file and refuses one group or others can read (2)', async () => {
    const file = join(home, 'admin.key');
    await writeFile(file, `${stack.apiKey}\n`, { mode: 0o644 });
    await chmod(file, 0o644);
    const open = await cli(['--credentials-file', file, 'whoami']);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('chmod 600');
    await chmod(file, 0o600);
    const closed = await cli(['--credentials-file', file, 'whoami']);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stdout).toContain(`${stack.apiKey.slice(0, 24)}:****${stack.apiKey.slice(-4)}`);
    expect(closed.stdout).not.toContain(secretOf(stack.apiKey));
    const viaEnv = await cli(['whoami'], { env: { BULWARK_CREDENTIALS_FILE: file } });
    expect(viaEnv.code).toBe(0);
  });

  it('reads the credential from standard input with --credentials-file -', async () => {
    const run = await cli(['--credentials-file', '-', '--json', 'whoami'], { input: stack.apiKey });
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOf<{ principal: { kind: string } }>(run).principal.kind).toBe('api_key');
  });

  it("uses the local stack's bootstrap.json for the URL and its admin key when nothing else is given", async () => {
    const run = await cli(['whoami'], { env: { BULWARK_URL: undefined, BULWARK_LOCAL_DIR: stack.localDir } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('bootstrap.json');
  });
});

describe('bulwark datasources', () => {
  it('creates a datasource, replaces its roles, lists it and deletes it; refuses an unknown role as usage (2)', async () => {
    const id = `cli-${Date.now().toString(36)}`;
    const created = await cli(['--json', 'datasources', 'put', id, '--read-role', 'user'], { env: admin() });
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id, read_roles: ['user'], write_roles: [] });
    const updated = await cli(['datasources', 'put', id, '--read-role', 'user', '--write-role', 'admin'], {
      env: admin(),
    });
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain(`Updated ${id}  read: user  write: admin`);
    const listed = await cli(['--json', 'datasources', 'list'], { env: admin() });
    const { datasources } = JSON.parse(listed.stdout) as {
      datasources: { id: string; write_roles: string[] }[];
    };
    expect(datasources.find((datasource) => datasource.id === id)?.write_roles).toEqual(['admin']);
    expect((await cli(['datasources', 'delete', id], { env: admin() })).code).toBe(0);
    const after = JSON.parse((await cli(['--json', 'datasources', 'list'], { env: admin() })).stdout) as {
      datasources: { id: string }[];
    };
    expect(after.datasources.map((datasource) => datasource.id)).not.toContain(id);
    const bad = await cli(['datasources', 'put', id, '--read-role', 'root'], { env: admin() });
    expect(bad.code).toBe(2);
  });
});

describe('bulwark triage', () => {
  it('summarises recent error logs as an admin, as text or JSON, and refuses a bad window as usage (2)', async () => {
    const json = await cli(['--json', 'triage', '--window-minutes', '5', '--limit', '50'], { env: admin() });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { groups: unknown[]; degraded: boolean; source: string };
    expect(Array.isArray(report.groups)).toBe(true);
    expect(report.degraded).toBe(false);
    expect(report.source).toBe('local-files');
    const text = await cli(['triage'], { env: admin() });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^window \S+ \.\. \S+: \d+ error line\(s\) of \d+/);
    const bad = await cli(['triage', '--window-minutes', '0'], { env: admin() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--window-minutes must be a whole number from 1 to 1440');
  });
});

describe('bulwark keys', () => {
  it('creates a key whose secret is printed once on stdout, lists and shows it masked-free, updates it', async () => {
    const created = await cli(
      [
        '--json',
        'keys',
        'create',
        '--name',
        'billing',
        '--role',
        'user',
        '--burst',
        '20',
        '--per-seconds',
        '60',
      ],
      {
        env: admin(),
      },
    );
    expect(created.code, created.stderr).toBe(0);
    const key = jsonOf<{ key_id: string; secret: string; rate_limit: unknown }>(created);
    remember(secretOf(key.secret));
    expect(key.secret.startsWith(`${key.key_id}:`)).toBe(true);
    expect(key.rate_limit).toEqual({ burst: 20, per_seconds: 60 });
    expect(created.stdout.split(secretOf(key.secret)).length).toBe(2);
    expect(created.stderr).toContain('shown this once');

    const list = await cli(['keys', 'list'], { env: admin() });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(key.key_id);
    expect(list.stdout).toContain('20 per 60 s');
    expect(list.stdout).not.toContain(secretOf(key.secret));

    const updated = await cli(['keys', 'update', key.key_id, '--default-limit', '--role', 'admin'], {
      env: admin(),
    });
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/rate_limit:\s+route default/);
    const shown = await cli(['--json', 'keys', 'show', key.key_id], { env: admin() });
    expect(jsonOf<{ roles: string[] }>(shown).roles).toEqual(['admin']);
    const missing = await cli(['keys', 'show', 'bwk_aaaaaaaaaaaaaaaaaaaa'], { env: admin() });
    expect(missing.code).toBe(3);
  });

  it('rotates with an overlap (both secrets work), then without (the old one is refused, 4); revokes', async () => {
    const created = await cli(['--json', 'keys', 'create', '--name', 'rotating', '--role', 'user'], {
      env: admin(),
    });
    const first = jsonOf<{ key_id: string; secret: string }>(created);
    remember(secretOf(first.secret));
    const rotated = await cli(['--json', 'keys', 'rotate', first.key_id], { env: admin() });
    expect(rotated.code, rotated.stderr).toBe(0);
    const second = jsonOf<{ key_id: string; secret: string; overlap_until: string }>(rotated);
    remember(secretOf(second.secret));
    expect(second.key_id).toBe(first.key_id);
    expect(Date.parse(second.overlap_until) - Date.now()).toBeGreaterThan(500_000);
    expect((await cli(['whoami'], { env: { BULWARK_API_KEY: first.secret } })).code).toBe(0);
    expect((await cli(['whoami'], { env: { BULWARK_API_KEY: second.secret } })).code).toBe(0);

    const now = await cli(['--json', 'keys', 'rotate', first.key_id, '--overlap-seconds', '0'], {
      env: admin(),
    });
    const third = jsonOf<{ secret: string; overlap_until: string | null }>(now);
    remember(secretOf(third.secret));
    expect(third.overlap_until).toBeNull();
    const old = await cli(['whoami'], { env: { BULWARK_API_KEY: second.secret } });
    expect(old.code).toBe(4);
    expect(old.stderr).toContain('Error: Invalid credentials (401)');
    expect(old.stderr).toMatch(/^Request ID: cli-[0-9a-f-]{36}$/m);

    const revoked = await cli(['keys', 'revoke', first.key_id], { env: admin() });
    expect(revoked.code).toBe(0);
    expect((await cli(['whoami'], { env: { BULWARK_API_KEY: third.secret } })).code).toBe(4);
  });

  it('shows a refused change with its field errors and request id (3), and as JSON with --json', async () => {
    const args = [
      'keys',
      'create',
      '--name',
      'huge',
      '--role',
      'user',
      '--burst',
      '20000',
      '--per-seconds',
      '1',
    ];
    const run = await cli(args, { env: admin() });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Error: Validation failed (422)');
    expect(run.stderr).toMatch(/^ {2}\/rate_limit\/burst: /m);
    expect(run.stderr).toMatch(/^Request ID: cli-/m);
    const json = await cli(['--json', ...args], { env: admin() });
    expect(json.code).toBe(3);
    expect(json.stdout).toBe('');
    const problem = JSON.parse(json.stderr) as {
      type: string;
      status: number;
      request_id: string;
      exit_code: number;
    };
    expect(problem).toMatchObject({
      type: 'urn:bulwark:problem:validation-failed',
      status: 422,
      exit_code: 3,
    });
    expect(problem.request_id).toMatch(/^cli-/);
    const usage = await cli(['keys', 'create', '--name', 'x', '--role', 'user', '--burst', '5'], {
      env: admin(),
    });
    expect(usage.code).toBe(2);
  });

  it('sends a fresh x-request-id per request that the server logs', async () => {
    const run = await cli(['keys', 'list'], { env: admin() });
    expect(run.code).toBe(0);
    const lines = await waitForLogs(stack, (entry) => String(entry.request_id ?? '').startsWith('cli-'));
    expect(lines[0]?.request_id).toMatch(/^cli-[0-9a-f-]{36}$/);
  });
});

describe('bulwark users, sessions and login', () => {
  const username = 'cli-operator-target';
  const password = 'a long first password';
  const nextPassword = 'another long password';

  it('creates a user (password from stdin), logs in as it, revokes its sessions, resets and disables it, deletes it', async () => {
    remember(password, nextPassword);
    const created = await cli(['users', 'create', '--username', username, '--role', 'admin'], {
      env: admin(),
      input: `${password}\n`,
    });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/roles:\s+admin/);

    // A login for this user: its tokens go to a 0600 file, and commands then run as the user.
    const login = await cli(['login', '--username', username], { input: `${password}\n` });
    expect(login.code, login.stderr).toBe(0);
    const asUser = await cli(['--json', 'whoami']);
    expect(asUser.code, asUser.stderr).toBe(0);
    expect(jsonOf<{ principal: { username: string } }>(asUser).principal.username).toBe(username);

    // The stored pair is refreshed when the access token is about to expire: a new pair in the 0600 file.
    const loginsFile = join(home, 'config', 'bulwark', 'logins.json');
    expect((await stat(loginsFile)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(loginsFile, 'utf8')) as Record<
      string,
      { refreshToken: string; accessToken: string; accessExpiresAtMs: number }
    >;
    const before = Object.values(stored)[0];
    remember(before?.refreshToken ?? '', before?.accessToken ?? '');
    for (const session of Object.values(stored)) session.accessExpiresAtMs = Date.now();
    await writeFile(loginsFile, JSON.stringify(stored), { mode: 0o600 });
    expect((await cli(['whoami'])).code).toBe(0);
    const after = Object.values(JSON.parse(await readFile(loginsFile, 'utf8')) as typeof stored)[0];
    remember(after?.refreshToken ?? '', after?.accessToken ?? '');
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(after?.accessExpiresAtMs).toBeGreaterThan(Date.now() + 60_000);

    const listed = await cli(['--json', 'users', 'list'], { env: admin() });
    const users = jsonOf<{ users: { username: string }[] }>(listed).users.map((user) => user.username);
    expect(users).toContain(username);
    expect(listed.stdout).not.toMatch(/hash|sessionRefs/i);

    const revoked = await cli(['sessions', 'revoke', '--user', username], { env: admin() });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain('Revoked 1 session(s)');
    const afterRevoke = await cli(['whoami']);
    expect(afterRevoke.code).toBe(4);

    const reset = await cli(['users', 'set-password', username], {
      env: admin(),
      input: `${nextPassword}\n`,
    });
    expect(reset.code, reset.stderr).toBe(0);
    expect((await cli(['login', '--username', username], { input: password })).code).toBe(4);
    expect((await cli(['login', '--username', username], { input: nextPassword })).code).toBe(0);

    const demoted = await cli(['users', 'update', username, '--role', 'user'], { env: admin() });
    expect(demoted.code, demoted.stderr).toBe(0);
    expect(demoted.stdout).toMatch(/sessions revoked:\s+1/);
    expect((await cli(['whoami'])).code).toBe(4);

    const disabled = await cli(['users', 'update', username, '--disable'], { env: admin() });
    expect(disabled.stdout).toMatch(/disabled:\s+yes/);
    const refused = await cli(['login', '--username', username], { input: nextPassword });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('Error: Invalid credentials (401)');

    const deleted = await cli(['users', 'delete', username], { env: admin() });
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await cli(['users', 'show', username], { env: admin() });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain('Error: Not found (404)');
  });

  it('refuses admin commands to a principal without the admin role (4)', async () => {
    const created = await cli(['--json', 'keys', 'create', '--name', 'plain', '--role', 'user'], {
      env: admin(),
    });
    const key = jsonOf<{ secret: string }>(created);
    remember(secretOf(key.secret));
    const run = await cli(['users', 'list'], { env: { BULWARK_API_KEY: key.secret } });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('Error: Forbidden (403)');
  });
});

describe('bulwark health --full and guard-rail events', () => {
  it('reports every backend for a health-role key, which can do nothing else', async () => {
    const created = await cli(['--json', 'keys', 'create', '--name', 'probe', '--role', 'health'], {
      env: admin(),
    });
    const key = jsonOf<{ secret: string }>(created);
    remember(secretOf(key.secret));
    const run = await cli(['--json', 'health', '--full'], { env: { BULWARK_API_KEY: key.secret } });
    expect(run.code, run.stderr).toBe(0);
    const health = jsonOf<{
      components: Record<string, { status: string }>;
      limiter: { outcomes: Record<string, number> };
      signing_keys: { overdue: boolean };
      breakers: { dependency: string; state: string }[];
    }>(run);
    expect(Object.keys(health.components).sort()).toEqual([
      'dynamodb:api-keys',
      'dynamodb:rate-limits',
      'dynamodb:sessions',
      'dynamodb:users',
      'secrets-manager',
    ]);
    expect(Object.values(health.components).every((component) => component.status === 'ok')).toBe(true);
    expect(health.limiter.outcomes.allow).toBeGreaterThan(0);
    expect(health.signing_keys.overdue).toBe(false);
    // The triage model's circuit, read from the shared breakers table: closed on a fresh stack.
    expect(health.breakers).toEqual([
      expect.objectContaining({ dependency: 'triage-model', state: 'closed' }),
    ]);
    const human = await cli(['health', '--full'], { env: { BULWARK_API_KEY: key.secret } });
    expect(human.stdout).toMatch(/dynamodb:users:\s+ok/);
    expect(human.stdout).toMatch(/breaker triage-model:\s+closed/);
    expect((await cli(['keys', 'list'], { env: { BULWARK_API_KEY: key.secret } })).code).toBe(4);
    // The deployed probe's check, run by hand (`npm run probe:health`) with the same key.
    const probe = await new Promise<Run>((resolveRun, reject) => {
      const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['scripts/health-probe.ts'], {
        cwd: root,
        env: {
          PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
          HOME: home,
          BULWARK_LOCAL_DIR: home,
          BULWARK_URL: stack.baseUrl,
          BULWARK_API_KEY: key.secret,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.once('error', reject);
      child.once('close', (code) => resolveRun({ code, stdout, stderr }));
    });
    expect(probe.code, probe.stderr).toBe(0);
    expect(probe.stdout).toMatch(/^HEALTHY status=200 latency_ms=\d+ request_id=\S+\n$/);
    expect(`${probe.stdout}${probe.stderr}`).not.toContain(secretOf(key.secret));
  });

  it('an unlimited key raises HealthChanged events, in the log and in /health/full', async () => {
    const created = await cli(
      ['--json', 'keys', 'create', '--name', 'firehose', '--role', 'user', '--unlimited'],
      {
        env: admin(),
      },
    );
    expect(created.code, created.stderr).toBe(0);
    const key = jsonOf<{ key_id: string; secret: string }>(created);
    remember(secretOf(key.secret));
    expect((await cli(['whoami'], { env: { BULWARK_API_KEY: key.secret } })).code).toBe(0);
    const events = await waitForLogs(
      stack,
      (entry) =>
        entry.message === 'guard-rail event' &&
        (entry.event as { subject?: string } | undefined)?.subject === key.key_id,
      2,
    );
    expect(events.map((entry) => (entry.event as { kind: string }).kind).sort()).toEqual([
      'api_key_unlimited',
      'api_key_unlimited_used',
    ]);
    const health = await cli(['--json', 'health', '--full'], { env: admin() });
    const report = jsonOf<{
      status: string;
      guardrails: { unlimited_api_keys: number; recent_events: { subject: string }[] };
    }>(health);
    expect(report.status).toBe('degraded');
    expect(report.guardrails.unlimited_api_keys).toBeGreaterThanOrEqual(1);
    expect(report.guardrails.recent_events.map((event) => event.subject)).toContain(key.key_id);
    expect(JSON.stringify(logEntries(stack))).not.toContain(secretOf(key.secret));
  });

  it('exits 5 with the wait when rate limited', async () => {
    let run: Run | undefined;
    for (let attempt = 0; attempt < 8; attempt += 1) {
      run = await cli(['health']);
      if (run.code !== 0) break;
    }
    expect(run?.code).toBe(5);
    expect(run?.stderr).toContain('Error: Too many requests (429)');
    expect(run?.stderr).toMatch(/^Retry after \d+s$/m);
  });
});
