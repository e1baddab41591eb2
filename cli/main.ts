import { CommanderError } from '@commander-js/extra-typings';
import { CliError } from './cli-error.js';
import { exitCodes } from './exit-codes.js';
import { type Io, processIo } from './io.js';
import { buildProgram } from './program.js';

/** How a failure is shown: the problem's title, status, detail, field errors, request id, the wait. */
const report = (io: Io, error: CliError, json: boolean): void => {
  if (json) {
    const body = error.problem ?? { title: error.message };
    io.stderr(
      `${JSON.stringify({ ...body, ...(error.requestId === undefined ? {} : { request_id: error.requestId }), exit_code: error.exitCode })}\n`,
    );
    return;
  }
  const { problem } = error;
  const lines =
    problem === undefined
      ? [`Error: ${error.message}`]
      : [
          `Error: ${problem.title ?? error.message} (${problem.status ?? '?'})`,
          ...(problem.detail === undefined ? [] : [problem.detail]),
          ...(problem.errors ?? []).map((field) => `  ${field.path || '/'}: ${field.message}`),
        ];
  if (error.requestId !== undefined) lines.push(`Request ID: ${error.requestId}`);
  if (error.retryAfterSeconds !== undefined) lines.push(`Retry after ${error.retryAfterSeconds}s`);
  io.stderr(`${lines.join('\n')}\n`);
};

/** Runs one invocation and resolves with its exit code; never throws. */
export const runCli = async (
  argv: readonly string[],
  /** The only environment the CLI reads: bin/bulwark.mjs passes the process's. */
  env: NodeJS.ProcessEnv,
  io: Io = processIo(),
  cwd: string = process.cwd(),
): Promise<number> => {
  const json = argv.includes('--json');
  const program = buildProgram(io, env, cwd);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are answers; every other parse failure is usage. Commander printed it already.
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
        ? exitCodes.ok
        : exitCodes.usage;
    }
    if (error instanceof CliError) {
      report(io, error, json);
      return error.exitCode;
    }
    // A bug: say so without a stack (which could quote request values); the class name helps a report.
    report(
      io,
      new CliError(`unexpected ${error instanceof Error ? error.name : 'failure'}`, {
        exitCode: exitCodes.failure,
      }),
      json,
    );
    return exitCodes.failure;
  }
};
