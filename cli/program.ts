import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import packageJson from '../package.json' with { type: 'json' };
import { registerDatasources } from './commands/datasources.js';
import { registerHealth } from './commands/health.js';
import { registerKeys } from './commands/keys.js';
import { registerLogin } from './commands/login.js';
import { registerSessions } from './commands/sessions.js';
import { registerTriage } from './commands/triage.js';
import { registerUsers } from './commands/users.js';
import { type CommandContext, commandContext, type GlobalOptions } from './context.js';
import { exitCodeTable } from './exit-codes.js';
import type { Io } from './io.js';

const seconds = (value: string): number => {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be 1-9999 seconds');
  return Number(value);
};

export const exitCodesHelp = (): string =>
  `Exit codes of bulwark:\n\n${exitCodeTable.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`).join('\n')}\n`;

/**
 * Where command groups plug in. `datasources` and `triage` join this list once their routes exist: a
 * group is a function that adds its commands to the program and uses only `context().client()`, so it
 * inherits the target, the credential rules, masking, `--json`, request ids and the exit codes.
 */
export const commandGroups: readonly ((program: Command, context: () => CommandContext) => void)[] = [
  registerHealth,
  registerLogin,
  registerKeys,
  registerUsers,
  registerSessions,
  registerTriage,
  registerDatasources,
];

/**
 * The `bulwark` program. Exit handling and output are configured before any command is added: commander
 * copies them into subcommands only when they are created.
 */
export const buildProgram = (io: Io, env: NodeJS.ProcessEnv, cwd: string): Command => {
  const program = new Command('bulwark')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError()
    .description(
      'Operate a Bulwark stage or the local stack over its public API. Credentials never come from ' +
        'arguments: --credentials-file <path|->, BULWARK_CREDENTIALS_FILE, BULWARK_API_KEY, `bulwark login`, ' +
        "or the local stack's bootstrap.json.",
    )
    .version(packageJson.version)
    .option('--url <url>', "the API (default: BULWARK_URL, else the local stack's .local/bootstrap.json)")
    .option('--credentials-file <path>', 'a 0600 file holding key_id:secret, or - for standard input')
    .option('--json', 'data as JSON on stdout; errors as JSON on stderr')
    .addOption(new Option('--timeout <seconds>', 'per request').argParser(seconds).default(30))
    .option(
      '--api-key-header <name>',
      "the stage's API_AUTH_HEADER (default: BULWARK_API_KEY_HEADER or x-api-key)",
    )
    .helpCommand(false);

  const context = (): CommandContext => commandContext(io, program.opts() as GlobalOptions, env, cwd);
  for (const register of commandGroups) register(program, context);

  program
    .command('help')
    .description('Help for a command, or `help exit-codes`')
    .argument('[topic...]', 'a command (keys create, users, ...) or exit-codes')
    .action((topic) => {
      if (topic.join(' ') === 'exit-codes') {
        io.stdout(exitCodesHelp());
        return;
      }
      let command: Command = program as unknown as Command;
      for (const name of topic) {
        const next = command.commands.find((candidate) => candidate.name() === name);
        if (next === undefined) break;
        command = next as unknown as Command;
      }
      io.stdout(command.helpInformation());
    });
  program.addHelpText('after', `\n${exitCodesHelp()}`);
  return program as unknown as Command;
};
