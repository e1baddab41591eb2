import { CliError } from './cli-error.js';
import { exitCodes } from './exit-codes.js';
import { redactSecrets } from './redact.js';

/** Where the CLI writes: data to stdout, everything else to stderr (always through the redactor). */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdinIsTerminal: boolean;
}

export const processIo = (): Io => ({
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(redactSecrets(text));
  },
  stdinIsTerminal: process.stdin.isTTY === true,
});

const readAllStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** One line typed at the terminal without echo; Ctrl-C exits 130. */
const promptHidden = (io: Io, question: string): Promise<string> =>
  new Promise((resolve, reject) => {
    io.stderr(question);
    const stdin = process.stdin;
    let value = '';
    const finish = (error?: CliError): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      io.stderr('\n');
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      for (const character of chunk.toString('utf8')) {
        if (character === '\r' || character === '\n') {
          finish();
          return;
        }
        if (character === '\u0003') {
          finish(new CliError('interrupted', { exitCode: exitCodes.interrupted }));
          return;
        }
        if (character === '\u007f' || character === '\b') value = value.slice(0, -1);
        else value += character;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });

/**
 * A password, never from argv: typed at a terminal prompt (twice when `confirm`, without echo), or read
 * from standard input when it is not a terminal (one trailing newline removed).
 */
export const readPassword = async (io: Io, options: { readonly confirm: boolean }): Promise<string> => {
  if (!io.stdinIsTerminal) {
    const text = (await readAllStdin()).replace(/\r?\n$/, '');
    if (text === '') throw new CliError('no password on standard input', { exitCode: exitCodes.usage });
    return text;
  }
  const password = await promptHidden(io, 'Password: ');
  if (options.confirm && (await promptHidden(io, 'Repeat password: ')) !== password) {
    throw new CliError('the passwords do not match', { exitCode: exitCodes.usage });
  }
  return password;
};
