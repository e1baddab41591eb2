/**
 * `npm run test:security`: the black-box attack suite. Without --url it starts its own DynamoDB Local and
 * local stack, attacks them over HTTP and stops them. With --url it attacks a deployed stage using only
 * what the environment gives it (see usage), and skips the checks that need local mode.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FAST_START_JAVA_TOOL_OPTIONS } from '../shared/local/dynamodb-local.js';
import { send } from '../test/security/http-client.js';
import { type LocalTarget, startLocalTarget } from '../test/security/local-target.js';
import { formatResult, runSecurityChecks, summarize } from '../test/security/run-security-checks.js';
import { securityChecks } from '../test/security/security-checks.js';
import { createTarget, suiteUserPrefix, type Target } from '../test/security/target.js';

// The JVM of DynamoDB Local starts faster with these; an operator's own setting wins.
process.env.JAVA_TOOL_OPTIONS ??= FAST_START_JAVA_TOOL_OPTIONS;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const usage = `Usage: npm run test:security [-- --url <base URL>] [--only <id prefix>]... [--skip <id prefix>]... [--list]

Without --url: starts DynamoDB Local and a local stack of its own, runs every check, stops them.
With --url:    attacks that stage (e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod).
               Checks that forge client addresses, stop the backend, sign tokens with the development
               key or set TRUSTED_HOSTS print SKIP. It creates users named ${suiteUserPrefix}<random> (role
               user) and never deletes, revokes or changes anything it did not create.

Environment (stage mode):
  BULWARK_API_KEY                an admin API key (bwk_<id>:<secret>); without it the checks that need a
                                 throwaway user or the admin key are skipped
  BULWARK_API_KEY_HEADER         header that carries API keys (API_AUTH_HEADER; default x-api-key)
  BULWARK_ALLOWED_ORIGIN         one origin of CORS_ALLOW_ORIGINS; without it the allowed-origin checks skip
  BULWARK_BODY_MAX_BYTES         the stage's API_BODY_MAX_BYTES (default 65536)
  BULWARK_REFRESH_GRACE_SECONDS  the stage's REFRESH_REUSE_GRACE_SECONDS (default 10)

Exit status: 0 when no check failed, 1 when one did, 2 on a usage or start-up error.`;

class UsageError extends Error {}

const wholeNumber = (name: string, fallback: number): number => {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${name} must be a whole number`);
  return Number(raw);
};

const optional = (name: string): string | undefined => {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

const stageTarget = (url: string): Target => {
  const parsed = URL.parse(url);
  if (parsed === null) throw new UsageError(`--url is not a URL: ${url}`);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new UsageError('--url must be an http or https URL');
  const allowedOrigin = optional('BULWARK_ALLOWED_ORIGIN');
  if (allowedOrigin !== undefined && URL.parse(allowedOrigin)?.origin !== allowedOrigin)
    throw new UsageError('BULWARK_ALLOWED_ORIGIN must be an exact origin (scheme, host, optional port)');
  return createTarget({
    mode: 'stage',
    baseUrl: url,
    adminApiKey: optional('BULWARK_API_KEY'),
    apiKeyHeader: (optional('BULWARK_API_KEY_HEADER') ?? 'x-api-key').toLowerCase(),
    allowedOrigin,
    bodyMaxBytes: wholeNumber('BULWARK_BODY_MAX_BYTES', 65_536),
    refreshGraceSeconds: wholeNumber('BULWARK_REFRESH_GRACE_SECONDS', 10),
  });
};

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      only: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(usage);
    return 0;
  }
  const only = values.only ?? [];
  const skipped = values.skip ?? [];
  const checks = securityChecks.filter(
    (check) =>
      (only.length === 0 || only.some((prefix) => check.id.startsWith(prefix))) &&
      !skipped.some((prefix) => check.id.startsWith(prefix)),
  );
  if (checks.length === 0) throw new UsageError('--only and --skip leave no check to run');
  if (values.list === true) {
    for (const check of checks)
      console.log(
        `${check.id.padEnd(36)} ${check.localOnly === undefined ? 'local+stage' : 'local only '} ${check.proves}`,
      );
    return 0;
  }

  const started = performance.now();
  let local: LocalTarget | undefined;
  // A signal during start-up waits for it to finish, so nothing it started is left running.
  let starting: Promise<LocalTarget> | undefined;
  const stopLocal = async () => (await starting?.catch(() => undefined))?.stop();
  const interrupted = new AbortController();
  let signalExitCode = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signalExitCode = signal === 'SIGINT' ? 130 : 143;
    interrupted.abort();
    console.log(`security suite: ${signal}, stopping`);
    void Promise.resolve(stopLocal()).finally(() => process.exit(signalExitCode));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let target: Target;
    if (values.url === undefined) {
      console.log('security suite: starting DynamoDB Local and a local stack of its own...');
      starting = startLocalTarget();
      local = await starting;
      if (interrupted.signal.aborted) return signalExitCode;
      target = local.target;
      console.log(`security suite: attacking ${target.baseUrl} (local mode)`);
    } else {
      target = stageTarget(values.url);
      try {
        await send(target.baseUrl, { path: '/.well-known/jwks.json', timeoutMs: 10_000 });
      } catch (error) {
        throw new UsageError(`cannot reach ${target.baseUrl}: ${(error as Error).message}`);
      }
      console.log(`security suite: attacking ${target.baseUrl} (stage mode; local-only checks skip)`);
    }
    const results = await runSecurityChecks(
      target,
      checks,
      (result) => console.log(formatResult(result)),
      interrupted.signal,
    );
    if (interrupted.signal.aborted) return signalExitCode;
    const failed = results.some((result) => result.status === 'FAIL');
    if (failed && local !== undefined) {
      const logFile = join(root, '.test-results', 'security-suite-local-stack.log');
      await mkdir(dirname(logFile), { recursive: true });
      await writeFile(logFile, local.logs());
      console.log(`security suite: the local stack's log is in ${logFile}`);
    }
    console.log(summarize(results, performance.now() - started));
    return failed ? 1 : 0;
  } finally {
    await stopLocal();
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`security suite: ${(error as Error).message}\n\n${usage}`);
    } else {
      console.error(
        `security suite: could not run: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    process.exit(2);
  },
);
