import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('npm start without its prerequisites', () => {
  it('says exactly what is missing when Java is not on PATH, and exits non-zero', () => {
    const localDir = mkdtempSync(join(tmpdir(), 'bulwark-nojava-'));
    try {
      // Only the pinned Node on PATH: no java, as on a machine without a JRE.
      const result = spawnSync(
        process.execPath,
        [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/local-stack.ts'],
        {
          cwd: root,
          env: { PATH: dirname(process.execPath), HOME: localDir, BULWARK_LOCAL_DIR: localDir, PORT: '0' },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('DynamoDB Local needs Java 17 or later on PATH');
      expect(result.stderr).toContain('apt-get install -y openjdk-17-jre-headless');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(localDir, { recursive: true, force: true });
    }
  });
});
