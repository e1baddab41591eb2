import { readFile, writeFile } from 'node:fs/promises';

export const sectionMarkers = (name: string) => ({
  start: `<!-- mutation:${name}:start -->`,
  end: `<!-- mutation:${name}:end -->`,
});

/** The text between the markers of `name`, or undefined when the file has no such section. */
export const markedSection = (markdown: string, name: string): string | undefined => {
  const { start, end } = sectionMarkers(name);
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  return from === -1 || to < from ? undefined : markdown.slice(from + start.length, to).trim();
};

/**
 * Replaces the section between the `mutation:<name>` markers of a markdown file; the hand-written text
 * around it is kept. The markers must already be there (docs/test-strength.md has them).
 */
export const writeMarkedSection = async (path: string, name: string, body: string): Promise<void> => {
  const { start, end } = sectionMarkers(name);
  const current = await readFile(path, 'utf8');
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  if (from === -1 || to < from)
    throw new Error(`${path}: the markers of "${name}" are missing or unbalanced`);
  await writeFile(path, `${current.slice(0, from)}${start}\n${body.trim()}\n${current.slice(to)}`);
};
