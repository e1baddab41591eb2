/** A GitHub markdown table read back: its header cells and rows of cells (escaped pipes unescaped). */
export interface ReadTable {
  readonly header: string[];
  readonly rows: string[][];
}

const cellsOf = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll('\\|', '|'));

/** Every table of a markdown text, in order. */
export const markdownTablesIn = (markdown: string): ReadTable[] => {
  const lines = markdown.split('\n');
  const tables: ReadTable[] = [];
  for (let at = 0; at + 1 < lines.length; at += 1) {
    const head = lines[at] ?? '';
    if (!head.startsWith('|') || !/^\|(\s*-+:?\s*\|)+$/.test(lines[at + 1] ?? '')) continue;
    const rows: string[][] = [];
    let next = at + 2;
    while ((lines[next] ?? '').startsWith('|')) {
      rows.push(cellsOf(lines[next] ?? ''));
      next += 1;
    }
    tables.push({ header: cellsOf(head), rows });
    at = next - 1;
  }
  return tables;
};

/** The one table of a text whose header has `column`. */
export const tableWithColumn = (markdown: string, column: string): ReadTable => {
  const found = markdownTablesIn(markdown).filter((table) => table.header.includes(column));
  if (found.length !== 1) throw new Error(`${found.length} tables with a column "${column}"`);
  return found[0] as ReadTable;
};
