/** A generated table as the bench prints it: a header and rows of cells. */
export interface PrintedTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * The numbers of one column of a generated table, as printed (`1.00`, `0.46x`, `$2.50`): a chart built
 * from them shows exactly what the table says. A cell that is not a number is an error.
 */
export const columnNumbers = (table: PrintedTable, column: string): number[] => {
  const at = table.header.indexOf(column);
  if (at === -1) throw new Error(`no column "${column}" in ${table.header.join(', ')}`);
  return table.rows.map((row) => {
    const cell = row[at] ?? '';
    const match = /^\$?(-?\d+(?:\.\d+)?)x?$/.exec(cell.trim());
    if (match === null) throw new Error(`column "${column}": "${cell}" is not a number`);
    return Number(match[1]);
  });
};

/** The cells of one column, as printed. */
export const columnCells = (table: PrintedTable, column: string): string[] => {
  const at = table.header.indexOf(column);
  if (at === -1) throw new Error(`no column "${column}" in ${table.header.join(', ')}`);
  return table.rows.map((row) => row[at] ?? '');
};
