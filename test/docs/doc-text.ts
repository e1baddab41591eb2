import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocFile {
  readonly path: string;
  readonly text: string;
}

const markdownUnder = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return markdownUnder(path);
      return entry.name.endsWith('.md') ? [path] : [];
    })
    .sort();

export const readDoc = (path: string): DocFile => ({ path, text: readFileSync(path, 'utf8') });

/** The README and every page under docs/: what a reader may take as a statement about the code. */
export const allDocs = (): DocFile[] => ['README.md', ...markdownUnder('docs')].map(readDoc);

/**
 * The units a claim lives in: a table row, a line of a code block, a heading, or a sentence of prose with
 * its hard line wraps undone (a list item starts a new paragraph). Sentences end at `.`, `!` or `?`
 * followed by white space, so a number such as `0.625` stays whole.
 */
export const sentencesOf = (text: string): string[] => {
  const units: string[] = [];
  let paragraph: string[] = [];
  let inFence = false;
  const flush = (): void => {
    if (paragraph.length > 0) units.push(...paragraph.join(' ').split(/(?<=[.!?])\s+/));
    paragraph = [];
  };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('```')) {
      flush();
      inFence = !inFence;
    } else if (inFence || trimmed.startsWith('|') || trimmed.startsWith('#')) {
      flush();
      units.push(trimmed);
    } else if (trimmed === '') {
      flush();
    } else {
      if (/^([-*]|\d+\.|>)\s/.test(trimmed)) flush();
      paragraph.push(trimmed);
    }
  }
  flush();
  return units.filter((unit) => unit.length > 0);
};

/** Every sentence of every doc, with the file it came from, for assertions that name the culprit. */
export const allSentences = (docs: readonly DocFile[] = allDocs()): string[] =>
  docs.flatMap((doc) => sentencesOf(doc.text).map((sentence) => `${doc.path}: ${sentence}`));

/** The cells of a Markdown table row, trimmed, without the outer pipes. */
export const cellsOf = (row: string): string[] =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());

/** Markdown tables as header cells and body rows of cells (the separator row dropped). */
export const tablesOf = (text: string): { header: string[]; rows: string[][] }[] => {
  const tables: { header: string[]; rows: string[][] }[] = [];
  let block: string[] = [];
  const flush = (): void => {
    const [header, , ...body] = block;
    if (header !== undefined) tables.push({ header: cellsOf(header), rows: body.map(cellsOf) });
    block = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim().startsWith('|')) block.push(line);
    else flush();
  }
  flush();
  return tables;
};

/** The part of a Markdown page under `## <title>`, up to the next heading of that level or above. */
export const sectionOf = (text: string, title: string): string => {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '').trim() === title);
  if (start === -1) throw new Error(`no section "${title}"`);
  const level = (lines[start] ?? '').indexOf(' ');
  const end = lines.findIndex(
    (line, index) => index > start && /^#{1,6} /.test(line) && line.indexOf(' ') <= level,
  );
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
};
