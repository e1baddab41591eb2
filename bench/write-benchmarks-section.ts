import { readFile, writeFile } from 'node:fs/promises';
import { withSummary } from './summary/benchmarks-summary.js';

const intro = `# Benchmarks

Figures produced by \`npm run bench\` (bench/run.ts). Each section is generated between its own
\`<!-- bench:<name>:start -->\` / \`<!-- bench:<name>:end -->\` markers and replaced on every run; text
outside the markers is kept, so other benchmarks can add their own sections. The charts (Mermaid) plot
columns of the tables beside them, and the summary under the title is rebuilt on every run from the
figures each section carries (its \`bench:figures\` comment): neither carries a number typed by hand.

## How to reproduce

\`\`\`sh
npm ci
npm run bench                        # every part, about six minutes; rewrites the sections below
npm run bench -- --only cold-start   # one part (foundation, cold-start, limiter, hot-key, auth)
\`\`\`

## Noise

The reference machines have 2 cores and vary by about 30% from run to run. Compare figures **within
one run** (ratios, differences against the bare baseline of the same run), not across runs or
machines. The bench fails only on real errors (a wrong status code, a bundle that does not build, a
module that does not load). Targets (limiter, authentication, cold start) are stated and marked met
or not in their sections, never enforced by the exit code.
`;

const markers = (name: string) => ({
  start: `<!-- bench:${name}:start -->`,
  end: `<!-- bench:${name}:end -->`,
});

/**
 * The document with the section between the markers of `name` replaced, or appended when absent; its
 * summary (at the top) is rebuilt from the figures its sections carry.
 */
export const replaceSection = (current: string, name: string, body: string): string => {
  const { start, end } = markers(name);
  const section = `${start}\n${body.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  let next: string;
  if (from !== -1 && to > from) {
    next = `${current.slice(0, from)}${section}${current.slice(to + end.length)}`;
  } else if (from === -1 && to === -1) {
    next = `${current.trimEnd()}\n\n${section}\n`;
  } else {
    throw new Error(`markers for "${name}" are unbalanced; fix them by hand`);
  }
  return withSummary(next);
};

/**
 * Replaces the section between the markers of `name` in the markdown file, appending it (and creating
 * the file with its intro) when absent, and rebuilds the summary at the top.
 */
export const writeBenchmarksSection = async (path: string, name: string, body: string): Promise<void> => {
  let current: string;
  try {
    current = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    current = intro;
  }
  let next: string;
  try {
    next = replaceSection(current, name, body);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  await writeFile(path, next);
};
