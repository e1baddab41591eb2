import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

const defaultChromiumPath = '/usr/bin/chromium';

/** Flags that keep Debian's Chromium headless, sandbox-free (CI runs as root) and off the network. */
export const chromiumArgs: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/** BULWARK_CHROMIUM_PATH, else Debian's /usr/bin/chromium; a missing binary says how to get one. */
export const chromiumExecutablePath = (): string => {
  const path = process.env.BULWARK_CHROMIUM_PATH?.trim() || defaultChromiumPath;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${path}: install it with \`apt-get install -y chromium\` or run \`.ci/run\` as root`,
    );
  }
  return path;
};

export interface LaunchedChromium {
  readonly context: BrowserContext;
  readonly close: () => Promise<void>;
}

/**
 * A persistent context in a throwaway folder that is also the browser's HOME, XDG config and TMPDIR,
 * so nothing is left behind in the real home directory.
 */
export const launchChromium = async (): Promise<LaunchedChromium> => {
  const executablePath = chromiumExecutablePath();
  const folder = await mkdtemp(join(tmpdir(), 'bulwark-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(join(folder, 'profile'), {
      executablePath,
      headless: true,
      args: [...chromiumArgs],
      env: { ...process.env, HOME: folder, XDG_CONFIG_HOME: folder, TMPDIR: folder },
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
};
