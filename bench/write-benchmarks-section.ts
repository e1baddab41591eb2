import { readFile, writeFile } from 'node:fs/promises';

const intro = `# Benchmarks

Figures produced by \`npm run bench\` (bench/run.ts). Each section is generated between its own
\`<!-- bench:<name>:start -->\` / \`<!-- bench:<name>:end -->\` markers and replaced on every run; text
outside the markers is kept, so other benchmarks can add their own sections.

## How to reproduce

\`\`\`sh
npm ci
npm run bench                        # every part, about six minutes; rewrites the sections below
npm run bench -- --only cold-start   # one part (foundation, cold-start, limiter, auth; comma-separated)
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
 * Replaces the section between the markers of `name` in the markdown file, appending it (and creating
 * the file with its intro) when absent.
 */
export const writeBenchmarksSection = async (path: string, name: string, body: string): Promise<void> => {
  const { start, end } = markers(name);
  const section = `${start}\n${body.trim()}\n${end}`;
  let current: string;
  try {
    current = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    current = intro;
  }
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  let next: string;
  if (from !== -1 && to > from) {
    next = `${current.slice(0, from)}${section}${current.slice(to + end.length)}`;
  } else if (from === -1 && to === -1) {
    next = `${current.trimEnd()}\n\n${section}\n`;
  } else {
    throw new Error(`${path}: markers for "${name}" are unbalanced; fix them by hand`);
  }
  await writeFile(path, next);
};
