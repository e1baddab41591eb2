/**
 * The local triage source reads every `*.jsonl` file of its folder (what `npm start` writes, and any log a
 * user drops in): error levels inside the window only, newest first, at most `limit`; lines that are not
 * JSON objects, other files and folders are skipped; the timestamp may be ISO 8601, Logs Insights' UTC
 * form or epoch milliseconds.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localLogSource } from '../../../shared/adapters/logs/local-log-source.js';

const fromMs = Date.UTC(2026, 10, 23, 11, 0);
const toMs = Date.UTC(2026, 10, 23, 12, 0);
const minute = (n: number) => fromMs + n * 60_000;
const jsonl = (lines: readonly unknown[]) => `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'bulwark-triage-logs-'));
  await writeFile(
    join(directory, 'bulwark-2026-11-23.jsonl'),
    `${jsonl([
      { level: 'ERROR', message: 'iso', timestamp: new Date(minute(10)).toISOString() },
      { level: 'INFO', message: 'not an error', timestamp: new Date(minute(11)).toISOString() },
      { level: 'ERROR', message: 'before the window', timestamp: new Date(minute(-1)).toISOString() },
    ])}not json at all\n[1, 2]\nnull\n`,
  );
  await writeFile(
    join(directory, 'dropped-in.jsonl'),
    jsonl([
      { level: 'error', message: 'epoch ms', timestamp: minute(20) },
      { level: 'CRITICAL', message: 'insights form', timestamp: '2026-11-23 11:30:00.000' },
      { level: 'FATAL', message: 'after the window', timestamp: minute(61) },
    ]),
  );
  await writeFile(
    join(directory, 'other.log'),
    jsonl([{ level: 'ERROR', message: 'not jsonl', timestamp: minute(5) }]),
  );
  await mkdir(join(directory, 'folder.jsonl'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('localLogSource', () => {
  it('reads error lines of every *.jsonl file inside the window, newest first, whatever the timestamp form', async () => {
    const lines = await localLogSource(directory).read(
      { fromMs, toMs, limit: 10 },
      AbortSignal.timeout(10_000),
    );
    expect(lines.map((line) => line.message)).toEqual(['insights form', 'epoch ms', 'iso']);
  });

  it('keeps the newest `limit` lines', async () => {
    const lines = await localLogSource(directory).read(
      { fromMs, toMs, limit: 2 },
      AbortSignal.timeout(10_000),
    );
    expect(lines.map((line) => line.message)).toEqual(['insights form', 'epoch ms']);
  });

  it('reads nothing from a folder that does not exist yet', async () => {
    const source = localLogSource(join(directory, 'missing'));
    expect(await source.read({ fromMs, toMs, limit: 10 }, AbortSignal.timeout(10_000))).toEqual([]);
  });
});
