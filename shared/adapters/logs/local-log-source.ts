import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { logLineTimeMs } from '../../domain/triage/error-digest.js';
import type { ErrorLogSource } from '../../domain/triage/triage-ports.js';

/** Files larger than this are skipped (a dropped-in log that big needs the real CLI tools). */
const maxFileBytes = 64 * 1024 * 1024;
const errorLevel = /^(ERROR|CRITICAL|FATAL)$/i;

/**
 * The local triage source: every `*.jsonl` file in the folder (what `npm start` writes under
 * `.local/logs/`, and anything a user drops there), one JSON object per line; error level only, newest
 * first, at most `limit`. Lines that are not JSON objects, or have no timestamp the digest can read, are
 * skipped.
 */
export const localLogSource = (directory: string): ErrorLogSource => ({
  kind: 'local-files',
  read: async ({ fromMs, toMs, limit }, signal) => {
    const names = await readdir(directory).catch(() => [] as string[]);
    const found: { readonly at: number; readonly line: Record<string, unknown> }[] = [];
    for (const name of names.filter((candidate) => candidate.endsWith('.jsonl'))) {
      const path = join(directory, name);
      const info = await stat(path);
      if (!info.isFile() || info.size > maxFileBytes) continue;
      for (const text of (await readFile(path, { encoding: 'utf8', signal })).split('\n')) {
        let line: unknown;
        try {
          line = JSON.parse(text);
        } catch {
          continue;
        }
        if (line === null || typeof line !== 'object') continue;
        const record = line as Record<string, unknown>;
        const at = logLineTimeMs(record);
        if (errorLevel.test(String(record.level)) && at !== undefined && at >= fromMs && at <= toMs)
          found.push({ at, line: record });
      }
    }
    return found
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map((entry) => entry.line);
  },
});
