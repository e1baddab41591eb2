import { appendFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

type Write = typeof process.stdout.write;

/**
 * Copies every structured log line the process writes (a JSON object with a `level`, as Powertools
 * writes them, already redacted by the logger) into `<directory>/bulwark-<UTC date>.jsonl`, one file per
 * day, mode 0600, so the local triage source (TRIAGE_LOCAL_LOG_DIR) can read what `npm start` logged.
 * Whatever else is printed (banners, stack traces of the tooling) stays on the terminal only. Returns
 * the function that stops copying.
 */
export const copyStructuredLogs = async (directory: string): Promise<() => void> => {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const restores = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write;
    let partial = '';
    const copy = (chunk: unknown): void => {
      partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as { level?: unknown };
          if (typeof parsed.level !== 'string') continue;
        } catch {
          continue;
        }
        const day = new Date().toISOString().slice(0, 10);
        appendFileSync(join(directory, `bulwark-${day}.jsonl`), `${line}\n`, { mode: 0o600 });
      }
    };
    stream.write = function write(this: typeof stream, chunk: unknown, ...rest: unknown[]) {
      try {
        copy(chunk);
      } catch {
        // A full disk must not take the local server down with it: the terminal still gets the line.
      }
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as Write;
    return () => {
      stream.write = original;
    };
  });
  return () => {
    for (const restore of restores) restore();
  };
};
