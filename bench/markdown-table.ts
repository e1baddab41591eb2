const escapeCell = (cell: string): string => cell.replaceAll('|', '\\|');

/** A GitHub-flavoured markdown table; `rightAligned` lists the numeric columns. */
export const markdownTable = (
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string => {
  const line = (row: readonly string[]) => `| ${row.map(escapeCell).join(' | ')} |`;
  const rule = `|${header.map((_, column) => (rightAligned.includes(column) ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
};
